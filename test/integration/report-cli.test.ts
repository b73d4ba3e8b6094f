import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { vigil } from '../support/vigil.js';
import { tempDir } from '../support/temp-dir.js';

const TOKEN = '4242:AAH-report-token-keep-secret';
let dir: { path: string; remove: () => void };
let fake: FakeTelegram;
const env = () => ({ TG_TOKEN: TOKEN });

beforeAll(async () => {
  dir = tempDir();
  fake = await startFakeTelegram(TOKEN);
  writeFileSync(
    join(dir.path, 'tg.yaml'),
    `notify:\n  telegram:\n    token: \${TG_TOKEN}\n    chatId: -1001\n    apiRoot: ` +
      `${fake.apiRoot}\nreport:\n  locale: ru\n`,
  );
  const simulated = await vigil(
    ['simulate', '--days', '9', '--until', '2024-03-11T00:00:00Z', '--users', '400', '--events-per-day', '4000'],
    { cwd: dir.path },
  );
  expect(simulated.code).toBe(0);
});
afterAll(async () => {
  await fake.close();
  dir.remove();
});

describe('vigil report', () => {
  it('writes text, picture and metadata to the outbox without Telegram', async () => {
    const result = await vigil(['report', '--date', '2024-03-10'], { cwd: dir.path });
    expect(result.code, result.stderr).toBe(0);
    const outbox = join(dir.path, '.vigil/outbox');
    expect(readdirSync(outbox).sort()).toEqual([
      'report-2024-03-10.json',
      'report-2024-03-10.png',
      'report-2024-03-10.txt',
    ]);
    expect(readFileSync(join(outbox, 'report-2024-03-10.txt'), 'utf8')).toMatch(
      /^<b>Good morning!<\/b> Metrics for <b>Sunday, 10 March 2024<\/b>/,
    );
    expect(readFileSync(join(outbox, 'report-2024-03-10.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('sends to Telegram in the configured locale, the picture captioned with the text', async () => {
    const result = await vigil(['report', '--date', '2024-03-09', '-c', 'tg.yaml'], { cwd: dir.path, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('report 2024-03-09 sent to Telegram chat -1001');
    const sent = fake.received.at(-1);
    expect(sent?.method).toBe('sendPhoto');
    expect(sent?.caption).toContain('Доброе утро');
    expect(sent?.photo?.length).toBeGreaterThan(10_000);
  });

  it('fails with exit 1 when the chat is not found, keeps the report, and sends it on the next run', async () => {
    fake.failNext({ status: 400, description: 'Bad Request: chat not found' });
    const failed = await vigil(['report', '--date', '2024-03-08', '-c', 'tg.yaml'], { cwd: dir.path, env: env() });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('chat not found');
    expect(failed.stderr).toContain('check notify.telegram.chatId');
    expect(failed.stderr).toContain('it is kept and sent on the next run');
    expect(failed.stdout + failed.stderr).not.toContain(TOKEN);

    const before = fake.received.length;
    const next = await vigil(['report', '--date', '2024-03-10', '-c', 'tg.yaml'], { cwd: dir.path, env: env() });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain('delivered report-2024-03-08 to telegram, kept from an earlier run');
    expect(fake.received.slice(before).map((r) => r.caption?.match(/\d{4} г\./)?.[0])).toHaveLength(2);
    // Kept once, delivered once: a third run sends neither again.
    const third = await vigil(['report', '--date', '2024-03-10', '-c', 'tg.yaml'], { cwd: dir.path, env: env() });
    expect(third.stdout).toContain('report 2024-03-10 was already delivered to telegram; nothing sent again');
    expect(fake.received.length).toBe(before + 2);
  });

  it('prints the report with --dry-run, sends nothing, and a real run after it sends it', async () => {
    const before = fake.attempts.length;
    const result = await vigil(['report', '--date', '2024-03-07', '--dry-run', '-c', 'tg.yaml'], {
      cwd: dir.path,
      env: env(),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(fake.attempts.length).toBe(before);
    expect(result.stdout).toContain('dry run: would send 1 notification(s); nothing was recorded or sent');
    expect(result.stdout).toContain('Доброе утро');
    const picture = /picture: (\S+\.png)/.exec(result.stdout)?.[1] ?? '';
    expect(readFileSync(picture).subarray(1, 4).toString()).toBe('PNG');
    rmSync(dirname(picture), { recursive: true });
    expect(existsSync(join(dir.path, '.vigil/outbox/report-2024-03-07.png'))).toBe(false);
    expect(result.stdout).not.toContain('already delivered');

    const real = await vigil(['report', '--date', '2024-03-07', '-c', 'tg.yaml'], { cwd: dir.path, env: env() });
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain('report 2024-03-07 sent to Telegram chat -1001');
    expect(fake.received.at(-1)?.caption).toContain('7 марта 2024');

    // Once delivered, a dry run says a real run would send nothing.
    const again = await vigil(['report', '--date', '2024-03-07', '--dry-run', '-c', 'tg.yaml'], {
      cwd: dir.path,
      env: env(),
    });
    expect(again.stdout).toContain(
      'report 2024-03-07 was already delivered to telegram: a real run would send nothing again (--force would)',
    );
    rmSync(dirname(/picture: (\S+\.png)/.exec(again.stdout)?.[1] ?? ''), { recursive: true });
  });
});
