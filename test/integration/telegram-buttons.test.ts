import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideNotification } from '../../src/alert/alert-state.js';
import { readAlertState } from '../../src/alert/alert-inputs.js';
import { silentLogger } from '../../src/log/logger.js';
import { NotificationJournal } from '../../src/notify/journal.js';
import { TelegramNotifier } from '../../src/notify/telegram-notifier.js';
import { startTelegramPresses } from '../../src/notify/telegram-presses.js';
import { telegramCommands } from '../../src/app/telegram-commands.js';
import { settingsFor } from '../support/settings.js';
import { SilenceStore } from '../../src/silence/silences.js';
import { ensureVigilTables, vigilTables } from '../../src/tables/vigil-tables.js';
import { openChdbWarehouse } from '../../src/warehouse/chdb-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { tempDir } from '../support/temp-dir.js';

const TOKEN = '6161:AAH-buttons-token';
const NOW = new Date('2024-03-06T14:20:00Z');
const KEY = 'views-2024-03-06T140000-started';
const KEY_WINDOW = Date.parse('2024-03-06T14:00:00Z');
const tables = vigilTables('buttons');
let dir: { path: string; remove: () => void };
let warehouse: Warehouse;
let fake: FakeTelegram;
beforeAll(async () => {
  dir = tempDir();
  warehouse = openChdbWarehouse(join(dir.path, 'warehouse'));
  fake = await startFakeTelegram(TOKEN);
  await ensureVigilTables(warehouse, tables);
  // The alert as the alert job records it before sending.
  await new NotificationJournal(warehouse, tables).write(
    [
      {
        decisions: [{ subject: 'views', slice: '', kind: 'started', window: new Date('2024-03-06T14:00:00Z') }],
        notification: { kind: 'alert', key: KEY, text: '🔴 <b>Anomaly: views</b>' },
        destinations: ['telegram'],
      },
    ],
    NOW,
  );
});
afterAll(async () => {
  await fake.close();
  await warehouse.close();
  dir.remove();
});

const settings = (allowedUsers?: number[]) => ({ token: TOKEN, chatId: '-5', apiRoot: fake.apiRoot, allowedUsers });
const press = (data: string, from: { id: number; username: string }) => ({
  callback_query: {
    id: `q-${data}-${from.id}`,
    from: { ...from, is_bot: false, first_name: from.username },
    chat_instance: 'c',
    data,
    message: { message_id: 7, date: 0, chat: { id: -5, type: 'group' }, caption: 'Anomaly: views' },
  },
});

/** Runs the press receiver until the fake has had `calls` calls (answers and edits), then stops it. */
async function receive(allowedUsers: number[] | undefined, calls: number, ...updates: Record<string, unknown>[]) {
  const before = fake.calls.length;
  fake.queueUpdates(...updates);
  const presses = startTelegramPresses(
    settings(allowedUsers),
    { warehouse, tables, timezone: 'Europe/Moscow', allowedUsers, now: () => NOW },
    silentLogger,
  );
  const deadline = Date.now() + 10_000;
  while (fake.calls.length - before < calls && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await presses.stop();
  return fake.calls.slice(before);
}

describe('Telegram alert buttons', () => {
  it('ride on an alert that starts an incident, not on its resolution', async () => {
    const notifier = new TelegramNotifier(settings());
    await notifier.send({ kind: 'alert', key: KEY, text: 'x' }, AbortSignal.timeout(5_000));
    await notifier.send(
      { kind: 'alert', key: 'views-2024-03-06T150000-resolved', text: 'y' },
      AbortSignal.timeout(5_000),
    );
    const [started, resolved] = fake.received.slice(-2);
    expect(JSON.parse(started?.replyMarkup ?? '{}')).toEqual({
      inline_keyboard: [
        [
          { text: 'Acknowledge', callback_data: `a:${KEY}` },
          { text: 'Mute 1h', callback_data: `m:${KEY}` },
        ],
        [{ text: 'Mute until tomorrow 09:00', callback_data: `t:${KEY}` }],
      ],
    });
    expect(resolved?.replyMarkup).toBeUndefined();
  });

  it('refuse a user not allowed, and change nothing', async () => {
    const calls = await receive([42], 1, press(`a:${KEY}`, { id: 99, username: 'mallory' }));
    expect(calls.find((c) => c.method === 'answerCallbackQuery')?.fields.text).toContain('you may not act');
    expect(calls.some((c) => c.method === 'editMessageCaption')).toBe(false);
    expect((await readAlertState(warehouse, tables)).get('views|')?.acknowledged).toBeUndefined();
  });

  it('acknowledge: recorded, the message says who and when, and repeats stop until it resolves', async () => {
    const calls = await receive([42], 2, press(`a:${KEY}`, { id: 42, username: 'ann' }));
    expect(calls.find((c) => c.method === 'answerCallbackQuery')?.fields.text).toContain('Acknowledged');
    expect(calls.find((c) => c.method === 'editMessageCaption')?.fields.caption).toBe(
      'Anomaly: views\n✔ acknowledged by @ann at 17:20',
    );
    const state = (await readAlertState(warehouse, tables)).get('views|');
    expect(state?.acknowledged).toBe(true);
    const [recorded] = await warehouse.query<{ text: string }>(
      `SELECT text FROM ${tables.notifications.sql} WHERE kind = 'acknowledged'`,
    );
    expect(recorded?.text).toBe('acknowledged by @ann (Telegram user 42)');
    const anomalous = { value: 0, low: 10, up: 20, alert: true };
    expect(decideNotification(state, anomalous, Date.parse('2024-03-06T16:00:00Z'), 3_600_000)).toBeUndefined();
    // The same incident unacknowledged would repeat.
    const unacknowledged = { kind: 'started' as const, window: KEY_WINDOW, started: KEY_WINDOW };
    expect(decideNotification(unacknowledged, anomalous, Date.parse('2024-03-06T16:00:00Z'), 3_600_000)).toBe(
      'repeated',
    );
  });

  it('mute until tomorrow 09:00: a silence in the configured zone, by the presser', async () => {
    await receive(undefined, 2, press(`t:${KEY}`, { id: 7, username: 'bob' }));
    const silences = await new SilenceStore(warehouse, tables).current(NOW.getTime());
    expect(silences.map((s) => [s.metric, s.slice, new Date(s.endsAt).toISOString(), s.createdBy])).toEqual([
      ['views', '', '2024-03-07T06:00:00.000Z', '@bob'],
    ]);
  });
});

describe('Telegram bot commands', () => {
  const command = (text: string, chatId = -5) => ({
    message: {
      message_id: 9,
      date: 0,
      chat: { id: chatId, type: 'group' },
      from: { id: 42, is_bot: false, first_name: 'ann' },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.length }],
    },
  });

  it('answer /status and /silences in the configured chat, and nothing elsewhere', async () => {
    const before = fake.received.length;
    fake.queueUpdates(command('/status'), command('/silences'), command('/status', -999));
    const presses = startTelegramPresses(
      settings(),
      {
        warehouse,
        tables,
        timezone: 'Europe/Moscow',
        allowedUsers: undefined,
        now: () => NOW,
        commands: telegramCommands(settingsFor({ database: 'buttons', timezone: 'Europe/Moscow' }), {
          warehouse,
          logger: silentLogger,
          now: () => NOW,
        }),
      },
      silentLogger,
    );
    const deadline = Date.now() + 10_000;
    while (fake.received.length - before < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    await presses.stop();
    const replies = fake.received.slice(before);
    expect(replies.map((r) => r.chatId)).toEqual(['-5', '-5']);
    expect((replies[0]?.text ?? '').split('\n').slice(0, 3)).toEqual([
      '<b>1 open incident(s)</b>',
      '🔴 views since 2024-03-06 17:00 GMT+3, acknowledged',
      '',
    ]);
    expect((replies[0]?.text ?? '').split('\n')[3]).toMatch(
      /^🔕 views until 2024-03-07 09:00 GMT\+3 \(s-[0-9a-f]{8}, by @bob\)$/,
    );
    expect(replies[1]?.text).toMatch(/^🔕 views until 2024-03-07 09:00 GMT\+3/);
  });
});
