import { JobError } from '../errors/vigil-error.js';

/** Something vigil tells people: a report or an alert, as Telegram HTML, with an optional picture. */
export interface Notification {
  /** `report`, `alert`, `test`: names the outbox files, `<kind>-<key>.*`. */
  readonly kind: string;
  /** Unique within the kind, safe in a file name: the report's day, an alert's metric and window. */
  readonly key: string;
  /** Telegram HTML (only b, i, code, a; every tag opened and closed on one line). */
  readonly text: string;
  readonly image?: { readonly png: Buffer; readonly filename: string };
}

/** A notification's identity across runs and destinations: `<kind>-<key>`. */
export function notificationId(notification: Pick<Notification, 'kind' | 'key'>): string {
  return `${notification.kind}-${notification.key}`;
}

/**
 * A destination. `send` resolves once delivered or throws a {@link DeliveryError}; it gives up when
 * `signal` aborts.
 */
export interface Notifier {
  /** The destination's name in config and in the journal, e.g. `telegram`, `outbox`. */
  readonly name: string;
  send(notification: Notification, signal: AbortSignal): Promise<void>;
}

/**
 * A notification could not be delivered. `permanent` when retrying cannot help until the user fixes
 * something (wrong token, chat not found, bot blocked); the message says what.
 */
export class DeliveryError extends JobError {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
