import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import type { Delivery, DeliveryPolicy } from '../../src/notify/dispatch.js';
import type { Notifier } from '../../src/notify/notifier.js';
import { OutboxNotifier } from '../../src/notify/outbox-notifier.js';

const POLICY: DeliveryPolicy = { budgetMs: 30_000, deadlineMs: 60_000 };

/** Delivery to the given destinations. */
export function testDelivery(
  notifiers: readonly Notifier[],
  options: { policy?: Partial<DeliveryPolicy>; logger?: Logger; now?: () => Date } = {},
): Delivery {
  return {
    destinations: new Map(notifiers.map((n) => [n.name, n])),
    policy: { ...POLICY, ...options.policy },
    logger: options.logger ?? silentLogger,
    now: options.now ?? (() => new Date()),
  };
}

/** Delivery into an outbox folder. */
export function outboxDelivery(directory: string): Delivery {
  return testDelivery([new OutboxNotifier(directory)]);
}

/** What an outbox folder holds: each notification's kind, key and text, by the name of its files. */
export function readOutbox(directory: string): { kind: string; key: string; text: string; image?: string }[] {
  let names: string[];
  try {
    names = readdirSync(directory)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  return names.map(
    (name) =>
      JSON.parse(readFileSync(join(directory, name), 'utf8')) as {
        kind: string;
        key: string;
        text: string;
        image?: string;
      },
  );
}
