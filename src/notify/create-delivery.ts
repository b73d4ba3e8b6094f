import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Delivery } from './delivery.js';
import { OutboxNotifier } from './outbox-notifier.js';
import { TelegramNotifier, type TelegramRetryPolicy } from './telegram-notifier.js';

/**
 * Telegram when configured (with the outbox's `undelivered/` folder keeping what it did not take),
 * else the outbox; `dryRun` forces the outbox whatever the config says.
 */
export function createDelivery(config: Config, options: { dryRun?: boolean; logger: Logger; telegramRetry?: Partial<TelegramRetryPolicy> }): Delivery {
  const outbox = config.notify.outbox.path;
  const telegram = config.notify.telegram;
  if (telegram && !options.dryRun) {
    return {
      notifier: new TelegramNotifier(telegram, options.telegramRetry),
      undelivered: new OutboxNotifier(join(outbox, 'undelivered')),
      logger: options.logger,
    };
  }
  return { notifier: new OutboxNotifier(outbox), logger: options.logger };
}
