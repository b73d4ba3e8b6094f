import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { deliver, retryUndelivered, UndeliveredError } from '../../src/notify/delivery.js';
import { DeliveryError, type Notification } from '../../src/notify/notifier.js';
import { OutboxNotifier } from '../../src/notify/outbox-notifier.js';
import { TelegramNotifier } from '../../src/notify/telegram-notifier.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { tempDir } from '../support/temp-dir.js';

const TOKEN = '123456:AAE-secret-token-do-not-print';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489' +
    '0000000d4944415478da63f8cfc0f01f0005000201a1e0f4f40000000049454e44ae426082',
  'hex',
);
let fake: FakeTelegram;

beforeAll(async () => {
  fake = await startFakeTelegram(TOKEN);
});
const undeliveredDir = tempDir('vigil-undelivered-');
afterAll(() => {
  undeliveredDir.remove();
  return fake.close();
});
beforeEach(() => {
  fake.received.length = 0;
  fake.attempts.length = 0;
});

const notifier = (token = TOKEN) =>
  new TelegramNotifier(
    { token, chatId: '-100777', apiRoot: fake.apiRoot },
    { retries: 2, baseDelayMs: 10, maxRetryAfterSeconds: 5 },
  );
const note = (text: string, image = true): Notification => ({
  kind: 'report',
  key: '2024-03-04',
  text,
  ...(image ? { image: { png: PNG, filename: 'r.png' } } : {}),
});

describe('Telegram delivery over real HTTP', () => {
  it('sends the picture with the text as its caption when the text fits 1024 characters', async () => {
    await notifier().send(note('<b>Hello</b> &amp; welcome'));
    expect(fake.received).toHaveLength(1);
    expect(fake.received[0]).toMatchObject({
      method: 'sendPhoto',
      chatId: '-100777',
      caption: '<b>Hello</b> &amp; welcome',
      parseMode: 'HTML',
    });
    expect(fake.received[0]?.photo?.equals(PNG)).toBe(true);
  });

  it('sends a longer text first and the picture after it', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `<b>line ${i}</b> ${'x'.repeat(30)}`).join('\n');
    await notifier().send(note(text));
    expect(fake.received.map((r) => r.method)).toEqual(['sendMessage', 'sendPhoto']);
    expect(fake.received[0]?.text).toBe(text);
    expect(fake.received[1]?.caption).toBeUndefined();
  });

  it('splits a text over 4096 characters at line breaks', async () => {
    const text = Array.from({ length: 300 }, (_, i) => `<i>row ${i}</i> ${'y'.repeat(20)}`).join('\n');
    await notifier().send(note(text, false));
    const parts = fake.received.map((r) => r.text ?? '');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('\n')).toBe(text);
    for (const part of parts) expect(part.replace(/<[^>]+>/g, '').length).toBeLessThanOrEqual(4096);
  });

  it('waits out a 429 for retry_after seconds, then succeeds', async () => {
    fake.failNext({ status: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    const started = Date.now();
    await notifier().send(note('hi'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.attempts).toEqual(['sendPhoto', 'sendPhoto']);
    expect(fake.received).toHaveLength(1);
  });

  it('retries a 502, then succeeds', async () => {
    fake.failNext({ status: 502, description: 'Bad Gateway' });
    await notifier().send(note('hi'));
    expect(fake.attempts).toEqual(['sendPhoto', 'sendPhoto']);
    expect(fake.received).toHaveLength(1);
  });

  it('gives up on 5xx after its retries, as a transient failure', async () => {
    fake.failNext(...Array.from({ length: 3 }, () => ({ status: 500, description: 'Internal Server Error' })));
    const error = await notifier()
      .send(note('hi'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).permanent).toBe(false);
    expect(fake.attempts).toHaveLength(3);
  });

  it('says what to fix when the chat is not found, without retrying', async () => {
    fake.failNext({ status: 400, description: 'Bad Request: chat not found' });
    const error = (await notifier()
      .send(note('hi'))
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('chat not found');
    expect(error.message).toContain('check notify.telegram.chatId');
    expect(fake.attempts).toHaveLength(1);
  });

  it('says the token was refused, and never shows it', async () => {
    const wrong = '999:wrong-token-also-secret';
    const error = (await notifier(wrong)
      .send(note('hi'))
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error.message).toContain('check notify.telegram.token');
    expect(`${error.message}${error.stack ?? ''}`).not.toContain(wrong);
  });

  it('keeps the token out of a network failure', async () => {
    const closed = new TelegramNotifier(
      { token: TOKEN, chatId: '1', apiRoot: 'http://127.0.0.1:9' },
      { retries: 1, baseDelayMs: 5, maxRetryAfterSeconds: 1 },
    );
    const error = (await closed.send(note('hi')).catch((e: unknown) => e)) as DeliveryError;
    expect(error.message).toContain('could not reach Telegram');
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('undelivered notifications', () => {
  it('are kept when Telegram refuses, and go out on the next run', async () => {
    const undelivered = new OutboxNotifier(join(undeliveredDir.path, 'undelivered'));
    const delivery = { notifier: notifier(), undelivered, logger: silentLogger };
    fake.failNext({ status: 400, description: 'Bad Request: chat not found' });
    const error = await deliver(delivery, note('<b>kept</b>')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndeliveredError);
    expect((error as Error).message).toContain(join(undelivered.directory, 'report-2024-03-04.txt'));
    const kept = await undelivered.list();
    expect(kept).toHaveLength(1);
    expect(kept[0]?.text).toBe('<b>kept</b>');
    expect(kept[0]?.image?.png.equals(PNG)).toBe(true);

    expect(await retryUndelivered(delivery)).toEqual({ sent: 1, left: 0 });
    expect(fake.received.at(-1)).toMatchObject({ method: 'sendPhoto', caption: '<b>kept</b>' });
    expect(await undelivered.list()).toEqual([]);
  });
});
