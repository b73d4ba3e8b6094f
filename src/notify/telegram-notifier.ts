import { Api, GrammyError, HttpError, InputFile, type Transformer } from 'grammy';
import { splitMessage, visibleLength } from './telegram-html.js';
import { DeliveryError, type Notification, type Notifier } from './notifier.js';
import { sleep } from '../time/sleep.js';

export interface TelegramSettings {
  readonly token: string;
  readonly chatId: string;
  readonly apiRoot: string;
  /** Telegram user ids who may press an alert's buttons; none: anyone in the chat. */
  readonly allowedUsers?: readonly number[] | undefined;
}

/** What an alert's buttons do, in their callback data: `<action>:<the notification's key>`. */
export const BUTTON_ACTIONS = { a: 'Acknowledge', m: 'Mute 1h', t: 'Mute until tomorrow 09:00' } as const;
export type ButtonAction = keyof typeof BUTTON_ACTIONS;

/** Callback data may hold 64 bytes. */
const CALLBACK_LIMIT = 64;

/** The buttons of an alert that starts or repeats an incident (none for the rest, or a key too long to carry). */
export function alertButtons(notification: Notification) {
  const { kind, key } = notification;
  if (kind !== 'alert' || key.startsWith('no_data-') || !/-(started|repeated)$/.test(key)) return undefined;
  if (Buffer.byteLength(`a:${key}`) > CALLBACK_LIMIT) return undefined;
  const row = (Object.keys(BUTTON_ACTIONS) as ButtonAction[]).map((action) => ({
    text: BUTTON_ACTIONS[action],
    callback_data: `${action}:${key}`,
  }));
  return { inline_keyboard: [row.slice(0, 2), row.slice(2)] };
}

export interface TelegramRetryPolicy {
  /** Retries of a 5xx, a network failure or a 429, all counted together. @default 4 */
  readonly retries: number;
  /** First backoff; doubles each time. @default 2000 ms */
  readonly baseDelayMs: number;
  /** A 429 asking to wait longer than this is a failure (kept for the next run). @default 120 s */
  readonly maxRetryAfterSeconds: number;
}

type GrammySignal = Parameters<Api['sendMessage']>[3];

const CAPTION_LIMIT = 1024;
const MESSAGE_LIMIT = 4096;

/**
 * Telegram through grammY. The picture carries the text as its caption when the text fits
 * (1024 characters), else the text goes first (split at 4096) and the picture after it.
 */
export class TelegramNotifier implements Notifier {
  readonly name = 'telegram';
  private readonly api: Api;

  constructor(
    private readonly settings: TelegramSettings,
    policy: Partial<TelegramRetryPolicy> = {},
  ) {
    // A server that never answers must not hang a run: grammY's default is 500 s.
    this.api = new Api(settings.token, { apiRoot: settings.apiRoot, timeoutSeconds: 60 });
    this.api.config.use(retrying({ retries: 4, baseDelayMs: 2_000, maxRetryAfterSeconds: 120, ...policy }));
  }

  /** Sends, retrying within the policy; gives up (kept for the next run) when `signal` aborts. */
  async send(notification: Notification, abort: AbortSignal): Promise<void> {
    // grammY types its signal with an AbortController polyfill's declarations; the object is Node's own.
    const signal = abort as unknown as GrammySignal;
    try {
      const { image } = notification;
      // The buttons ride on the last message sent.
      const buttons = alertButtons(notification);
      const markup = buttons ? { reply_markup: buttons } : {};
      if (image && visibleLength(notification.text) <= CAPTION_LIMIT) {
        const photo = new InputFile(image.png, image.filename);
        await this.api.sendPhoto(
          this.settings.chatId,
          photo,
          { caption: notification.text, parse_mode: 'HTML', ...markup },
          signal,
        );
        return;
      }
      const parts = splitMessage(notification.text, MESSAGE_LIMIT);
      for (const [index, part] of parts.entries()) {
        const last = index === parts.length - 1 && !image;
        const options = {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(last ? markup : {}),
        } as const;
        await this.api.sendMessage(this.settings.chatId, part, options, signal);
      }
      if (image) {
        await this.api.sendPhoto(this.settings.chatId, new InputFile(image.png, image.filename), markup, signal);
      }
    } catch (error) {
      const failure = abort.aborted
        ? new DeliveryError('Telegram did not take it within the delivery budget (notify.budget)', false, {
            cause: error,
          })
        : describe(error);
      // A network error's text may carry the request URL, which holds the token.
      failure.message = failure.message.replaceAll(this.settings.token, '***');
      throw failure;
    }
  }
}

/**
 * grammY API transformer: waits out a 429's `retry_after`, and retries 5xx answers and network
 * failures with exponential backoff, a bounded number of times (grammY's auto-retry plugin retries
 * network failures forever, which would hang a run while Telegram is unreachable).
 */
export function retrying(policy: TelegramRetryPolicy): Transformer {
  // grammY types every transformer's response as ApiResponse<any>.
  /* eslint-disable @typescript-eslint/no-unsafe-return */
  return async (previous, method, payload, signal) => {
    let failures = 0;
    for (;;) {
      let response: Awaited<ReturnType<typeof previous>>;
      try {
        response = await previous(method, payload, signal);
      } catch (error) {
        if (!(error instanceof HttpError) || failures >= policy.retries || signal?.aborted) throw error;
        await sleep(policy.baseDelayMs * 2 ** failures++, signal as AbortSignal | undefined);
        continue;
      }
      const outcome = response as { ok: boolean; error_code?: number; parameters?: { retry_after?: number } };
      if (outcome.ok || failures >= policy.retries || signal?.aborted) return response;
      const retryAfter = outcome.parameters?.retry_after;
      if (outcome.error_code === 429 && retryAfter !== undefined && retryAfter <= policy.maxRetryAfterSeconds) {
        failures++;
        await sleep(retryAfter * 1000, signal as AbortSignal | undefined);
        continue;
      }
      if ((outcome.error_code ?? 0) >= 500) {
        await sleep(policy.baseDelayMs * 2 ** failures++, signal as AbortSignal | undefined);
        continue;
      }
      return response;
    }
  };
  /* eslint-enable @typescript-eslint/no-unsafe-return */
}

/** Turns grammY's errors into what the user should do; never includes the token. */
function describe(error: unknown): DeliveryError {
  if (error instanceof GrammyError) {
    const what = error.description.replace(/^Bad Request: /, '');
    const fix =
      error.error_code === 401 || error.error_code === 404
        ? 'the bot token was refused: check notify.telegram.token'
        : /chat not found/i.test(what)
          ? 'check notify.telegram.chatId, and that the bot was added to that chat'
          : error.error_code === 403
            ? 'the bot may not write to that chat (blocked, removed, or not an admin of the channel)'
            : error.error_code === 429
              ? 'Telegram asks to wait longer than vigil waits; it will be sent on the next run'
              : error.error_code >= 500
                ? 'Telegram kept failing; it will be sent on the next run'
                : 'check the message and notify.telegram settings';
    return new DeliveryError(
      `Telegram refused ${error.method} (${error.error_code} ${what}): ${fix}`,
      error.error_code < 500 && error.error_code !== 429,
      { cause: error },
    );
  }
  if (error instanceof HttpError) {
    return new DeliveryError(
      `could not reach Telegram (${errorText(error.error)}); it will be sent on the next run`,
      false,
      { cause: error },
    );
  }
  return new DeliveryError(`Telegram delivery failed: ${errorText(error)}`, false, { cause: error });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
