import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { NotificationJournal } from './journal.js';
import type { Notification } from './notifier.js';

interface KeptMetadata {
  kind: string;
  key: string;
  text: string;
  image?: string;
}

/**
 * vigil before 0.2 kept what Telegram did not take as files in `<outbox>/undelivered/`; the
 * journal keeps it now. Each kept file is moved into the journal as pending for `destinations`
 * and removed; one that cannot be read or is not a kept notification is moved aside to
 * `undelivered/broken/` with a warning naming it, and never stops the run. Returns how many
 * were moved into the journal.
 */
export async function importKeptFiles(
  outbox: string,
  journal: NotificationJournal,
  destinations: readonly string[],
  { logger, now }: { logger: Logger; now: Date },
): Promise<number> {
  const folder = join(outbox, 'undelivered');
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let imported = 0;
  for (const name of names) {
    const base = join(folder, name.replace(/\.json$/, ''));
    let notification: Notification;
    try {
      notification = await readKept(base, name);
    } catch (error) {
      await moveAside(folder, name);
      logger.warn(
        `${join(folder, name)} is not a readable kept notification (${String(error)}); ` +
          `moved it to ${join(folder, 'broken')}`,
      );
      continue;
    }
    await journal.write(
      [
        {
          decisions: [{ subject: notification.kind, slice: '', kind: notification.kind, window: now }],
          notification,
          destinations,
        },
      ],
      now,
    );
    for (const extension of ['.json', '.txt', '.png']) await rm(`${base}${extension}`, { force: true });
    imported++;
  }
  return imported;
}

async function readKept(base: string, name: string): Promise<Notification> {
  const metadata = JSON.parse(await readFile(`${base}.json`, 'utf8')) as Partial<KeptMetadata> | null;
  if (
    !metadata ||
    typeof metadata.kind !== 'string' ||
    typeof metadata.key !== 'string' ||
    typeof metadata.text !== 'string'
  ) {
    throw new Error(`${name} lacks kind, key or text`);
  }
  const png = metadata.image === undefined ? undefined : await readFile(`${base}.png`).catch(() => undefined);
  return {
    kind: metadata.kind,
    key: metadata.key,
    text: metadata.text,
    ...(png && metadata.image !== undefined ? { image: { png, filename: metadata.image } } : {}),
  };
}

async function moveAside(folder: string, name: string): Promise<void> {
  const broken = join(folder, 'broken');
  await mkdir(broken, { recursive: true });
  for (const extension of ['.json', '.txt', '.png']) {
    const file = name.replace(/\.json$/, extension);
    await rename(join(folder, file), join(broken, file)).catch(() => undefined);
  }
}
