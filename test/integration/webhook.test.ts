import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/notify/notifier.js';
import { WebhookNotifier } from '../../src/notify/webhook-notifier.js';
import { startFakeTelegram } from '../support/fake-telegram.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { tempDir } from '../support/temp-dir.js';
import { vigil } from '../support/vigil.js';

const SECRET = 'a-webhook-secret-of-some-length';
let hook: FakeWebhook;
let dir: { path: string; remove: () => void };
beforeAll(async () => {
  hook = await startFakeWebhook(SECRET);
  dir = tempDir();
  writeFileSync(
    join(dir.path, 'hook.yaml'),
    `notify:\n  webhook:\n    url: ${hook.url}\n    secret: \${HOOK_SECRET}\n`,
  );
});
afterAll(async () => {
  await hook.close();
  dir.remove();
});

const notification = {
  kind: 'alert',
  key: 'views-2024-03-06T140000-started',
  text: '🔴 <b>Anomaly: views</b>\nValue <b>0</b>',
};
const notifier = (secret = SECRET) => new WebhookNotifier({ url: hook.url, secret }, { baseDelayMs: 10 });

describe('the webhook destination', () => {
  it('posts signed JSON: the text plain and as HTML, the picture as base64', async () => {
    const before = hook.delivered.length;
    await notifier().send(
      { ...notification, image: { png: Buffer.from('png!'), filename: 'a.png' } },
      AbortSignal.timeout(5_000),
    );
    const [got] = hook.delivered.slice(before);
    expect(got?.id).toBe('alert-views-2024-03-06T140000-started');
    expect(got?.body).toEqual({
      id: 'alert-views-2024-03-06T140000-started',
      kind: 'alert',
      key: 'views-2024-03-06T140000-started',
      text: '🔴 Anomaly: views\nValue 0',
      html: notification.text,
      image: { filename: 'a.png', png: Buffer.from('png!').toString('base64') },
    });
  });

  it('retries a 500 with backoff and delivers once, with the same id each time', async () => {
    const before = hook.attempts.length;
    hook.answerNext(500, 503);
    await notifier().send(notification, AbortSignal.timeout(5_000));
    const attempts = hook.attempts.slice(before);
    expect(attempts.map((a) => a.status)).toEqual([500, 503, 200]);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
  });

  it('does not retry a 400, and says what the receiver answered', async () => {
    const before = hook.attempts.length;
    hook.answerNext(400);
    const failure = await notifier()
      .send(notification, AbortSignal.timeout(5_000))
      .catch((error: unknown) => error);
    expect(hook.attempts.length - before).toBe(1);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as DeliveryError).permanent).toBe(true);
    expect((failure as DeliveryError).message).toMatch(
      /^the webhook answered 400 \(status 400\): check notify\.webhook/,
    );
    // A wrong secret is the receiver's 401: not retried either.
    const unsigned = await notifier('not-the-right-secret!')
      .send(notification, AbortSignal.timeout(5_000))
      .catch((e: unknown) => e);
    expect((unsigned as DeliveryError).message).toContain('the webhook answered 401');
  });

  it('is a destination of vigil notify test, its secret never printed', async () => {
    const before = hook.delivered.length;
    const result = await vigil(['notify', 'test', '-c', 'hook.yaml'], { cwd: dir.path, env: { HOOK_SECRET: SECRET } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('webhook: delivered\n');
    expect(hook.delivered.slice(before).map((d) => d.body.kind)).toEqual(['test']);
    const config = await vigil(['config', '-c', 'hook.yaml'], { cwd: dir.path, env: { HOOK_SECRET: SECRET } });
    expect(config.stdout).toContain('secret: "***"');
    expect(config.stdout).not.toContain(SECRET);
  });
});

describe('routes in a real alert run', () => {
  it("send the messenger's alerts to the webhook only, and vigil alert says so", async () => {
    const tg = await startFakeTelegram('7171:AAH-routes');
    try {
      writeFileSync(
        join(dir.path, 'routes.yaml'),
        `notify:\n  telegram:\n    token: "7171:AAH-routes"\n    chatId: -9\n    apiRoot: ${tg.apiRoot}\n` +
          `  webhook:\n    url: ${hook.url}\n    secret: \${HOOK_SECRET}\n` +
          '  routes:\n    - { match: { metric: [messages, senders] }, to: [webhook] }\n',
      );
      const options = { cwd: dir.path, env: { HOOK_SECRET: SECRET } };
      const until = '2024-03-06T14:15:00Z';
      const simulate = ['simulate', '--days', '8', '--until', until, '--users', '300', '--events-per-day', '20000'];
      const made = await vigil(
        [...simulate, '--anomaly', 'metric=messages,factor=0,last=15m', '-c', 'routes.yaml'],
        options,
      );
      expect(made.code, made.stderr).toBe(0);
      const before = hook.delivered.length;
      const result = await vigil(['alert', '--at', until, '-c', 'routes.yaml'], options);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/messages .*ANOMALY {2}→ started, webhook\n/);
      expect(hook.delivered.slice(before).map((d) => d.body.html)).toEqual([expect.stringContaining('messages')]);
      expect(tg.received.filter((r) => (r.caption ?? r.text ?? '').includes('messages'))).toEqual([]);
    } finally {
      await tg.close();
    }
  });
});
