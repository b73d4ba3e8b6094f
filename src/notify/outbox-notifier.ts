import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Notification, Notifier } from './notifier.js';

interface Metadata {
  kind: string;
  key: string;
  text: string;
  image?: string;
  /** Why it is in the undelivered folder, if it is. */
  lastError?: string;
}

/**
 * Notifications as files in a folder: `<kind>-<key>.txt` (the HTML text), `.png` (the picture) and
 * `.json` (metadata). Used when Telegram is not configured, and — in its `undelivered/` subfolder —
 * as the durable store of notifications Telegram did not take, retried on the next run.
 */
export class OutboxNotifier implements Notifier {
  readonly name = 'outbox';
  constructor(readonly directory: string) {}

  async send(notification: Notification): Promise<void> {
    await this.write(notification);
  }

  /** Writes the files, each atomically (temporary name, then rename), and returns the text's path. */
  async write(notification: Notification, lastError?: string): Promise<string> {
    await mkdir(this.directory, { recursive: true });
    const base = join(this.directory, `${notification.kind}-${notification.key}`);
    const metadata: Metadata = { kind: notification.kind, key: notification.key, text: notification.text };
    if (notification.image) {
      await atomicWrite(`${base}.png`, notification.image.png);
      metadata.image = notification.image.filename;
    }
    if (lastError !== undefined) metadata.lastError = lastError;
    await atomicWrite(`${base}.txt`, notification.text);
    await atomicWrite(`${base}.json`, JSON.stringify(metadata, null, 2));
    return `${base}.txt`;
  }

  /** Every notification stored here, oldest name first. */
  async list(): Promise<Notification[]> {
    let names: string[];
    try {
      names = (await readdir(this.directory)).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const notifications: Notification[] = [];
    for (const name of names) {
      const metadata = JSON.parse(await readFile(join(this.directory, name), 'utf8')) as Metadata;
      const png =
        metadata.image === undefined
          ? undefined
          : await readFile(join(this.directory, name.replace(/\.json$/, '.png'))).catch(() => undefined);
      notifications.push({
        kind: metadata.kind,
        key: metadata.key,
        text: metadata.text,
        ...(png && metadata.image ? { image: { png, filename: metadata.image } } : {}),
      });
    }
    return notifications;
  }

  async remove(notification: Pick<Notification, 'kind' | 'key'>): Promise<void> {
    const base = join(this.directory, `${notification.kind}-${notification.key}`);
    // The metadata goes first: without it the rest is not listed, so a crash here loses nothing.
    for (const extension of ['.json', '.txt', '.png']) await rm(`${base}${extension}`, { force: true });
  }
}

async function atomicWrite(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}
