import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Notification, Notifier } from './notifier.js';

/**
 * Notifications as files in a folder: `<kind>-<key>.txt` (the HTML text), `.png` (the picture) and
 * `.json` (metadata). The destination when no remote one is configured.
 */
export class OutboxNotifier implements Notifier {
  readonly name = 'outbox';
  constructor(readonly directory: string) {}

  async send(notification: Notification): Promise<void> {
    await this.write(notification);
  }

  /** Writes the files, each atomically (temporary name, then rename), and returns the text's path. */
  async write(notification: Notification): Promise<string> {
    await mkdir(this.directory, { recursive: true });
    const base = join(this.directory, `${notification.kind}-${notification.key}`);
    const metadata = {
      kind: notification.kind,
      key: notification.key,
      text: notification.text,
      // The picture's file here, whatever the destination-neutral name it carries.
      image: notification.image ? `${notification.kind}-${notification.key}.png` : undefined,
    };
    if (notification.image) await atomicWrite(`${base}.png`, notification.image.png);
    await atomicWrite(`${base}.txt`, notification.text);
    await atomicWrite(`${base}.json`, JSON.stringify(metadata, null, 2));
    return `${base}.txt`;
  }
}

async function atomicWrite(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}
