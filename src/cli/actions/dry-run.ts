import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Notification } from '../../notify/notifier.js';
import { plainText } from '../../notify/telegram-html.js';

/**
 * What a dry run would have sent, for the terminal: each notification's text, and its picture
 * saved in a fresh temporary folder (outside vigil's state, so a later real run is unaffected).
 */
export function describeDryRun(notifications: readonly Notification[]): string {
  if (notifications.length === 0) return 'dry run: nothing would be sent; nothing was recorded';
  const folder = notifications.some((n) => n.image) ? mkdtempSync(join(tmpdir(), 'vigil-dry-run-')) : undefined;
  const lines = [`dry run: would send ${notifications.length} notification(s); nothing was recorded or sent`];
  for (const notification of notifications) {
    lines.push(
      '',
      ...plainText(notification.text)
        .split('\n')
        .map((line) => `  ${line}`),
    );
    if (notification.image && folder !== undefined) {
      const path = join(folder, notification.image.filename);
      writeFileSync(path, notification.image.png);
      lines.push(`  picture: ${path}`);
    }
  }
  return lines.join('\n');
}
