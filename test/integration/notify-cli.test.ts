import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { tempDir } from '../support/temp-dir.js';
import { vigil } from '../support/vigil.js';

const TOKEN = '5151:AAH-notify-test-token';
let dir: { path: string; remove: () => void };
let fake: FakeTelegram;
beforeAll(async () => {
  dir = tempDir();
  fake = await startFakeTelegram(TOKEN);
  writeFileSync(
    join(dir.path, 'tg.yaml'),
    `notify:\n  telegram:\n    token: \${TG}\n    chatId: -77\n    apiRoot: ${fake.apiRoot}\n`,
  );
});
afterAll(async () => {
  await fake.close();
  dir.remove();
});

describe('vigil notify test', () => {
  it('sends a test message with a picture to Telegram and says it was delivered', async () => {
    const before = fake.received.length;
    const result = await vigil(['notify', 'test', '-c', 'tg.yaml'], { cwd: dir.path, env: { TG: TOKEN } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('telegram: delivered\n');
    const [sent, ...more] = fake.received.slice(before);
    expect(more).toEqual([]);
    expect(sent?.method).toBe('sendPhoto');
    expect(sent?.chatId).toBe('-77');
    expect(sent?.caption).toMatch(/^🧪 <b>vigil test message<\/b>\nFrom \S+ at .*: this destination works\.$/);
    expect(sent?.photo?.length).toBeGreaterThan(1000);
  });

  it('says what Telegram answered when it refuses, exits 1, and keeps nothing to retry', async () => {
    fake.failAlways({ status: 400, description: 'Bad Request: chat not found' });
    const result = await vigil(['notify', 'test', '-c', 'tg.yaml'], { cwd: dir.path, env: { TG: TOKEN } });
    fake.failAlways(undefined);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^telegram: not delivered: .*chat not found/);
    expect(result.stderr).toContain('the test message did not reach telegram');
    expect(result.stderr).not.toContain(TOKEN);
  });

  it('writes to the outbox when no chat is configured, and refuses an unknown destination', async () => {
    const result = await vigil(['notify', 'test'], { cwd: dir.path });
    expect(result.stdout).toBe('outbox: delivered\n');
    const files = readdirSync(join(dir.path, '.vigil/outbox')).filter((f) => f.startsWith('test-'));
    expect(files).toHaveLength(3);
    // The metadata names the picture written beside it.
    const json = files.find((f) => f.endsWith('.json')) ?? '';
    const { image } = JSON.parse(readFileSync(join(dir.path, '.vigil/outbox', json), 'utf8')) as { image: string };
    expect(files).toContain(image);
    const wrong = await vigil(['notify', 'test', '--to', 'email'], { cwd: dir.path });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--to must be a configured destination: outbox (got "email")');
  });
});
