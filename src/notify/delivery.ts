import { JobError } from '../errors/vigil-error.js';
import type { Logger } from '../log/logger.js';
import { DeliveryError, type Notification, type Notifier } from './notifier.js';
import type { OutboxNotifier } from './outbox-notifier.js';

/** Where notifications go, and where the ones that could not go wait. */
export interface Delivery {
  readonly notifier: Notifier;
  /** The store of undelivered notifications; absent when the notifier is the outbox itself. */
  readonly undelivered?: OutboxNotifier;
  readonly logger: Logger;
}

/** A notification was not delivered; it is kept and will be retried. */
export class UndeliveredError extends JobError {
  override readonly name = 'UndeliveredError';
}

/**
 * Sends a notification. If it cannot be delivered it is kept in the undelivered store (never
 * dropped) and an UndeliveredError says why and where it waits.
 */
export async function deliver(delivery: Delivery, notification: Notification): Promise<void> {
  try {
    await delivery.notifier.send(notification);
  } catch (error) {
    const reason = error instanceof DeliveryError ? error.message : String(error);
    if (!delivery.undelivered) throw error;
    const path = await delivery.undelivered.write(notification, reason);
    throw new UndeliveredError(
      `${notification.kind} ${notification.key} was not delivered: ${reason}. ` +
        `It is kept in ${path} and will be retried on the next run.`,
      { cause: error },
    );
  }
}

/** Retries the notifications kept from earlier runs, oldest first; returns how many went out. */
export async function retryUndelivered(delivery: Delivery): Promise<{ sent: number; left: number }> {
  const store = delivery.undelivered;
  if (!store) return { sent: 0, left: 0 };
  const waiting = await store.list();
  let sent = 0;
  for (const notification of waiting) {
    try {
      await delivery.notifier.send(notification);
      await store.remove(notification);
      sent++;
      delivery.logger.info(`delivered ${notification.kind} ${notification.key}, kept from an earlier run`);
    } catch (error) {
      delivery.logger.warn(
        `${notification.kind} ${notification.key} from an earlier run is still undelivered: ` +
          (error instanceof Error ? error.message : String(error)),
      );
    }
  }
  return { sent, left: waiting.length - sent };
}
