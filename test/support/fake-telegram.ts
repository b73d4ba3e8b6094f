import { createServer, type IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { AddressInfo } from 'node:net';

/** What the fake Bot API received in one successful call. */
export interface Received {
  readonly method: string;
  readonly chatId: string;
  readonly text?: string;
  readonly caption?: string;
  readonly parseMode?: string;
  /** The uploaded picture, checked to be a PNG. */
  readonly photo?: Buffer;
  /** The inline keyboard, as sent (JSON). */
  readonly replyMarkup?: string;
}

/** A scripted answer for the next request: an HTTP status and Telegram's error fields. */
export interface ScriptedFailure {
  readonly status: number;
  readonly description: string;
  readonly retryAfter?: number;
}

export interface FakeTelegram {
  /** For `notify.telegram.apiRoot`. */
  readonly apiRoot: string;
  readonly received: Received[];
  /** Every request seen, failed ones included, as `method`. */
  readonly attempts: string[];
  /** The next requests fail like this, in order; after them, requests succeed. */
  failNext(...failures: ScriptedFailure[]): void;
  /** Every request from now on fails like this (e.g. 429 forever), or never gets an answer; `undefined` ends it. */
  failAlways(failure: ScriptedFailure | 'hang' | undefined): void;
  /** Updates the next getUpdates returns (a button press, a command), as the Bot API's `Update` objects. */
  queueUpdates(...updates: Record<string, unknown>[]): void;
  /** Each send is recorded at once and answered this many ms later (a slow Telegram); 0: at once. */
  answerSendsAfter(ms: number): void;
  /** The fields of every other call (answerCallbackQuery, editMessageCaption, …), by method. */
  readonly calls: { method: string; fields: Record<string, string> }[];
  close(): Promise<void>;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Test support: a local stand-in for the Telegram Bot API over real HTTP. It checks the token in
 * the path, parses JSON and multipart bodies, insists that a photo is a real PNG, and answers
 * scripted failures (429 with retry_after, 5xx, 400) on demand.
 */
export async function startFakeTelegram(token: string): Promise<FakeTelegram> {
  const received: Received[] = [];
  const attempts: string[] = [];
  const script: ScriptedFailure[] = [];
  let always: ScriptedFailure | 'hang' | undefined;
  let sendDelayMs = 0;
  let messageId = 0;
  const updates: Record<string, unknown>[] = [];
  let updateId = 0;
  const calls: { method: string; fields: Record<string, string> }[] = [];

  const server = createServer((request, response) => {
    const answer = async () => {
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.url ?? '');
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (!match) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
      const [, givenToken, method = ''] = match;
      attempts.push(method);
      if (givenToken !== token) return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
      if (always === 'hang') return;
      const failure = script.shift() ?? always;
      if (failure) {
        return reply(failure.status, {
          ok: false,
          error_code: failure.status,
          description: failure.description,
          ...(failure.retryAfter === undefined ? {} : { parameters: { retry_after: failure.retryAfter } }),
        });
      }
      const fields = await readFields(request);
      if (method === 'getMe') {
        return reply(200, { ok: true, result: { id: 1, is_bot: true, first_name: 'vigil', username: 'vigil_bot' } });
      }
      if (method === 'getUpdates') {
        // Long polling, briefly: an empty answer waits a little, so a polling bot does not spin.
        if (updates.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
        return reply(200, { ok: true, result: updates.splice(0).map((u) => ({ update_id: ++updateId, ...u })) });
      }
      if (!method.startsWith('send')) {
        const plain = Object.fromEntries([...fields].map(([name, value]) => [name, String(value)]));
        calls.push({ method, fields: plain });
        return reply(200, { ok: true, result: true });
      }
      // Uploads arrive as a field `attach://<part>` naming the multipart part holding the file.
      const photoField = fields.get('photo');
      const photo =
        typeof photoField === 'string' && photoField.startsWith('attach://')
          ? fields.get(photoField.slice(9))
          : photoField;
      if (method === 'sendPhoto' && !(photo instanceof Buffer && photo.subarray(0, 8).equals(PNG_SIGNATURE))) {
        return reply(400, { ok: false, error_code: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED' });
      }
      const text = (name: string) => {
        const value = fields.get(name);
        return typeof value === 'string' ? value : undefined;
      };
      const caption = text('caption');
      const body = text('text');
      const parseMode = text('parse_mode');
      const replyMarkup = text('reply_markup');
      received.push({
        method,
        chatId: text('chat_id') ?? '',
        ...(body === undefined ? {} : { text: body }),
        ...(caption === undefined ? {} : { caption }),
        ...(parseMode === undefined ? {} : { parseMode }),
        ...(photo instanceof Buffer ? { photo } : {}),
        ...(replyMarkup === undefined ? {} : { replyMarkup }),
      });
      if (sendDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, sendDelayMs));
      reply(200, { ok: true, result: { message_id: ++messageId, date: 0, chat: { id: 1, type: 'group' } } });
    };
    answer().catch((error: unknown) => {
      response.writeHead(500, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({ ok: false, error_code: 500, description: `fake Bot API failed: ${String(error)}` }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    received,
    attempts,
    failNext: (...failures) => script.push(...failures),
    failAlways: (failure) => {
      always = failure;
    },
    queueUpdates: (...queued) => updates.push(...queued),
    answerSendsAfter: (ms) => {
      sendDelayMs = ms;
    },
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request's fields, from JSON or multipart/form-data (files as Buffers). */
async function readFields(request: IncomingMessage): Promise<Map<string, string | Buffer>> {
  const fields = new Map<string, string | Buffer>();
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    await new Promise<void>((resolve, reject) => {
      const parser = busboy({ headers: request.headers });
      parser.on('field', (name, value) => fields.set(name, value));
      parser.on('file', (name, stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => fields.set(name, Buffer.concat(chunks)));
      });
      parser.on('close', resolve);
      parser.on('error', reject);
      request.pipe(parser);
    });
    return fields;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length > 0) {
    for (const [name, value] of Object.entries(JSON.parse(body.toString('utf8')) as Record<string, unknown>)) {
      fields.set(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  return fields;
}
