import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { Delivery } from '../notify/delivery.js';
import { OutboxNotifier } from '../notify/outbox-notifier.js';
import { TelegramNotifier, type TelegramRetryPolicy } from '../notify/telegram-notifier.js';
import type { DeliverySettings } from './settings.js';

/**
 * Telegram when configured (with the outbox's `undelivered/` folder keeping what it did not take),
 * else the outbox; `dryRun` forces the outbox whatever the config says.
 */
export function createDelivery(
  settings: DeliverySettings,
  options: { dryRun?: boolean; logger: Logger; telegramRetry?: Partial<TelegramRetryPolicy> },
): Delivery {
  if (settings.telegram && !options.dryRun) {
    return {
      notifier: new TelegramNotifier(settings.telegram, options.telegramRetry),
      undelivered: new OutboxNotifier(join(settings.outbox, 'undelivered')),
      logger: options.logger,
    };
  }
  return { notifier: new OutboxNotifier(settings.outbox), logger: options.logger };
}
