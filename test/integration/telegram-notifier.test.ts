import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/notify/dispatch.js';
import { NotificationJournal } from '../../src/notify/journal.js';
import { DeliveryError, type Notification } from '../../src/notify/notifier.js';
import { TelegramNotifier } from '../../src/notify/telegram-notifier.js';
import { ensureVigilTables, vigilTables } from '../../src/tables/vigil-tables.js';
import { testDelivery } from '../support/delivery.js';
import { useEmbeddedWarehouse } from '../support/embedded-warehouse.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';

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
afterAll(() => fake.close());
const opened = useEmbeddedWarehouse();
const tables = vigilTables('telegram_state');
const decided = { subject: 'report', slice: '', kind: 'report', window: new Date('2024-03-04T00:00:00Z') };
/** The time one notification may take, as the delivery gives it. */
const budget = () => AbortSignal.timeout(30_000);
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
    await notifier().send(note('<b>Hello</b> &amp; welcome'), budget());
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
    await notifier().send(note(text), budget());
    expect(fake.received.map((r) => r.method)).toEqual(['sendMessage', 'sendPhoto']);
    expect(fake.received[0]?.text).toBe(text);
    expect(fake.received[1]?.caption).toBeUndefined();
  });

  it('splits a text over 4096 characters at line breaks', async () => {
    const text = Array.from({ length: 300 }, (_, i) => `<i>row ${i}</i> ${'y'.repeat(20)}`).join('\n');
    await notifier().send(note(text, false), budget());
    const parts = fake.received.map((r) => r.text ?? '');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('\n')).toBe(text);
    for (const part of parts) expect(part.replace(/<[^>]+>/g, '').length).toBeLessThanOrEqual(4096);
  });

  it('waits out a 429 for retry_after seconds, then succeeds', async () => {
    fake.failNext({ status: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    const started = Date.now();
    await notifier().send(note('hi'), budget());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.attempts).toEqual(['sendPhoto', 'sendPhoto']);
    expect(fake.received).toHaveLength(1);
  });

  it('retries a 502, then succeeds', async () => {
    fake.failNext({ status: 502, description: 'Bad Gateway' });
    await notifier().send(note('hi'), budget());
    expect(fake.attempts).toEqual(['sendPhoto', 'sendPhoto']);
    expect(fake.received).toHaveLength(1);
  });

  it('gives up on 5xx after its retries, as a transient failure', async () => {
    fake.failNext(...Array.from({ length: 3 }, () => ({ status: 500, description: 'Internal Server Error' })));
    const error = await notifier()
      .send(note('hi'), budget())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).permanent).toBe(false);
    expect(fake.attempts).toHaveLength(3);
  });

  it('says what to fix when the chat is not found, without retrying', async () => {
    fake.failNext({ status: 400, description: 'Bad Request: chat not found' });
    const error = (await notifier()
      .send(note('hi'), budget())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('chat not found');
    expect(error.message).toContain('check notify.telegram.chatId');
    expect(fake.attempts).toHaveLength(1);
  });

  it('says the token was refused, and never shows it', async () => {
    const wrong = '999:wrong-token-also-secret';
    const error = (await notifier(wrong)
      .send(note('hi'), budget())
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error.message).toContain('check notify.telegram.token');
    expect(`${error.message}${error.stack ?? ''}`).not.toContain(wrong);
  });

  it('keeps the token out of a network failure', async () => {
    const closed = new TelegramNotifier(
      { token: TOKEN, chatId: '1', apiRoot: 'http://127.0.0.1:9' },
      { retries: 1, baseDelayMs: 5, maxRetryAfterSeconds: 1 },
    );
    const error = (await closed.send(note('hi'), budget()).catch((e: unknown) => e)) as DeliveryError;
    expect(error.message).toContain('could not reach Telegram');
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('what Telegram does not take', () => {
  it('is kept in the journal, and goes out on the next run, once', async () => {
    const warehouse = opened();
    const journal = new NotificationJournal(warehouse, tables);
    await ensureVigilTables(warehouse, tables);
    const delivery = testDelivery([notifier()]);
    const kept = note('<b>kept</b>');
    await journal.write([{ decisions: [decided], notification: kept, destinations: ['telegram'] }], new Date());
    fake.failNext({ status: 400, description: 'Bad Request: chat not found' });
    const first = await dispatch(delivery, journal, [{ notification: kept, destinations: ['telegram'] }]);
    expect(first).toEqual([
      expect.objectContaining({ id: 'report-2024-03-04', destination: 'telegram', sent: false, earlier: false }),
    ]);
    expect(first[0]?.error).toContain('chat not found');
    expect((await journal.pending(10)).map((p) => p.notification.text)).toEqual(['<b>kept</b>']);

    const next = await dispatch(delivery, journal, []);
    expect(next).toEqual([{ id: 'report-2024-03-04', destination: 'telegram', sent: true, earlier: true }]);
    expect(fake.received.at(-1)).toMatchObject({ method: 'sendPhoto', caption: '<b>kept</b>' });
    expect(fake.received.at(-1)?.photo?.equals(PNG)).toBe(true);
    expect(await journal.pending(10)).toEqual([]);
    expect(await dispatch(delivery, journal, [])).toEqual([]);
    expect(fake.received.filter((r) => r.caption === '<b>kept</b>')).toHaveLength(1);
  });
});
