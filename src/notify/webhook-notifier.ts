import { createHmac } from 'node:crypto';
import { DeliveryError, notificationId, type Notification, type Notifier } from './notifier.js';
import { sleep } from '../time/sleep.js';
import { plainText } from './telegram-html.js';

export interface WebhookSettings {
  readonly url: string;
  /** Signs each body: `X-Vigil-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
  readonly secret: string;
}

export interface WebhookRetryPolicy {
  /** Retries of a 5xx, a 429, a timeout or a network failure. @default 4 */
  readonly retries: number;
  /** First backoff; doubles each time. @default 1000 ms */
  readonly baseDelayMs: number;
  /** One request's time limit. @default 30 s */
  readonly timeoutMs: number;
}

/**
 * A generic webhook: each notification POSTed as JSON (its id, kind, key, the text as plain text
 * and as Telegram HTML, the picture as base64), signed with HMAC-SHA256 of the body. A 2xx is
 * delivered; 5xx, 429, timeouts and network failures are retried with backoff within the budget
 * (then kept for the next run); any other 4xx is the receiver saying no: not retried, reported.
 * `X-Vigil-Id` is the same on every retry, so a receiver can drop a repeat.
 */
export class WebhookNotifier implements Notifier {
  readonly name = 'webhook';
  private readonly policy: WebhookRetryPolicy;

  constructor(
    private readonly settings: WebhookSettings,
    policy: Partial<WebhookRetryPolicy> = {},
  ) {
    this.policy = { retries: 4, baseDelayMs: 1_000, timeoutMs: 30_000, ...policy };
  }

  async send(notification: Notification, signal: AbortSignal): Promise<void> {
    const id = notificationId(notification);
    const body = JSON.stringify({
      id,
      kind: notification.kind,
      key: notification.key,
      text: plainText(notification.text),
      html: notification.text,
      image: notification.image
        ? { filename: notification.image.filename, png: notification.image.png.toString('base64') }
        : null,
    });
    const signature = createHmac('sha256', this.settings.secret).update(body).digest('hex');
    let last = '';
    for (let attempt = 0; attempt <= this.policy.retries; attempt++) {
      if (attempt > 0) await sleep(this.policy.baseDelayMs * 2 ** (attempt - 1), signal);
      if (signal.aborted) break;
      try {
        const response = await fetch(this.settings.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-vigil-id': id, 'x-vigil-signature': `sha256=${signature}` },
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.policy.timeoutMs)]),
        });
        if (response.ok) return;
        const answer = (await response.text().catch(() => '')).slice(0, 200);
        last = `the webhook answered ${response.status}${answer === '' ? '' : ` (${answer})`}`;
        if (response.status < 500 && response.status !== 429) {
          throw new DeliveryError(`${last}: check notify.webhook (url, secret) and the receiver`, true);
        }
      } catch (error) {
        if (error instanceof DeliveryError) throw error;
        last = `could not reach the webhook (${error instanceof Error ? error.message : String(error)})`;
      }
    }
    throw new DeliveryError(
      signal.aborted ? `${last || 'the webhook did not answer'} within notify.budget` : last,
      false,
    );
  }
}
