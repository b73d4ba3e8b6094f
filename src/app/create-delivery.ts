import type { Logger } from '../log/logger.js';
import type { Delivery } from '../notify/dispatch.js';
import type { Notifier } from '../notify/notifier.js';
import { OutboxNotifier } from '../notify/outbox-notifier.js';
import { TelegramNotifier, type TelegramRetryPolicy } from '../notify/telegram-notifier.js';
import type { DeliverySettings } from './settings.js';

export interface DeliveryContext {
  readonly logger: Logger;
  readonly now: () => Date;
  readonly telegramRetry?: Partial<TelegramRetryPolicy>;
}

/** The destinations: Telegram when configured, else the outbox folder. */
export function createNotifiers(settings: DeliverySettings, telegramRetry?: Partial<TelegramRetryPolicy>): Notifier[] {
  return settings.telegram
    ? [new TelegramNotifier(settings.telegram, telegramRetry)]
    : [new OutboxNotifier(settings.outbox)];
}

/** Delivery through the configured destinations. */
export function createDelivery(settings: DeliverySettings, context: DeliveryContext): Delivery {
  return {
    destinations: new Map(
      createNotifiers(settings, context.telegramRetry).map((notifier) => [notifier.name, notifier]),
    ),
    policy: { budgetMs: settings.budgetMs, deadlineMs: settings.deadlineMs },
    logger: context.logger,
    now: context.now,
  };
}
