import type { Logger } from '../log/logger.js';
import type { Delivery } from '../notify/dispatch.js';
import type { Notifier } from '../notify/notifier.js';
import { EmailNotifier } from '../notify/email-notifier.js';
import { OutboxNotifier } from '../notify/outbox-notifier.js';
import { TelegramNotifier, type TelegramRetryPolicy } from '../notify/telegram-notifier.js';
import { WebhookNotifier, type WebhookRetryPolicy } from '../notify/webhook-notifier.js';
import type { DeliverySettings } from './settings.js';

export interface DeliveryContext {
  readonly logger: Logger;
  readonly now: () => Date;
  readonly telegramRetry?: Partial<TelegramRetryPolicy>;
  readonly webhookRetry?: Partial<WebhookRetryPolicy>;
}

/** The destinations: Telegram, the webhook and email when configured; the outbox folder when none is. */
export function createNotifiers(
  settings: DeliverySettings,
  retry: { telegram?: Partial<TelegramRetryPolicy>; webhook?: Partial<WebhookRetryPolicy> } = {},
): Notifier[] {
  const remote = [
    ...(settings.telegram ? [new TelegramNotifier(settings.telegram, retry.telegram)] : []),
    ...(settings.webhook ? [new WebhookNotifier(settings.webhook, retry.webhook)] : []),
    ...(settings.email ? [new EmailNotifier(settings.email)] : []),
  ];
  return remote.length > 0 ? remote : [new OutboxNotifier(settings.outbox)];
}

/** Delivery through the configured destinations. */
export function createDelivery(settings: DeliverySettings, context: DeliveryContext): Delivery {
  return {
    destinations: new Map(
      createNotifiers(settings, { telegram: context.telegramRetry, webhook: context.webhookRetry }).map((notifier) => [
        notifier.name,
        notifier,
      ]),
    ),
    policy: { budgetMs: settings.budgetMs, deadlineMs: settings.deadlineMs },
    routes: settings.routes,
    logger: context.logger,
    now: context.now,
  };
}
