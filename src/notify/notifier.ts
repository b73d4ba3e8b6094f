import { JobError } from '../errors/vigil-error.js';

/** Something vigil tells people: a report or an alert, as Telegram HTML, with an optional picture. */
export interface Notification {
  /** `report`, `alert`: names the outbox files, `<kind>-<key>.*`. */
  readonly kind: string;
  /** Unique within the kind, safe in a file name: the report's day, an alert's metric and window. */
  readonly key: string;
  /** Telegram HTML (only b, i, code, a; every tag opened and closed on one line). */
  readonly text: string;
  readonly image?: { readonly png: Buffer; readonly filename: string };
}

/** Where notifications go. `send` resolves once delivered, or throws a {@link DeliveryError}. */
export interface Notifier {
  /** `telegram` or `outbox`, for messages. */
  readonly name: string;
  send(notification: Notification): Promise<void>;
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
