import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailNotifier } from '../../src/notify/email-notifier.js';
import { DeliveryError } from '../../src/notify/notifier.js';

/** A local SMTP server over real TCP that keeps each message whole, and refuses one recipient. */
let server: SMTPServer;
let port = 0;
const messages: { from: string; to: string[]; raw: string }[] = [];
beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === 'nobody@example.com') {
        const refused = Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 });
        callback(refused);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        messages.push({
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const settings = (to: string[]) => ({
  host: '127.0.0.1',
  port,
  secure: false,
  from: 'vigil@example.com',
  to,
  allowSelfSigned: false,
});
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('the email destination', () => {
  it('sends the text as plain text and HTML, the first line as the subject, the picture inline', async () => {
    await new EmailNotifier(settings(['pm@example.com', 'ops@example.com'])).send(
      {
        kind: 'alert',
        key: 'group-2024-03-06T140000-started',
        text: '🔴 <b>2 metrics anomalous at 17:00 (Europe/Moscow)</b>\n• <b>senders</b>: 0',
        image: { png: PNG, filename: 'alert-group.png' },
      },
      AbortSignal.timeout(10_000),
    );
    const [message] = messages.splice(0);
    expect(message?.from).toBe('vigil@example.com');
    expect(message?.to).toEqual(['pm@example.com', 'ops@example.com']);
    const raw = message?.raw ?? '';
    expect(raw).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(raw).toContain('Message-ID: <alert-group-2024-03-06T140000-started@vigil>');
    expect(raw).toContain('Content-Type: text/plain');
    expect(raw).toContain('Content-Type: text/html');
    expect(raw).toContain('cid:picture');
    expect(raw).toMatch(/Content-ID: <picture>/);
    expect(raw).toContain(PNG.toString('base64'));
  });

  it('reports a refused recipient as permanent, with what the server said', async () => {
    const failure = await new EmailNotifier(settings(['nobody@example.com']))
      .send({ kind: 'test', key: 'x', text: 'test' }, AbortSignal.timeout(10_000))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as DeliveryError).permanent).toBe(true);
    expect((failure as DeliveryError).message).toMatch(/no such user.*check notify\.email/);
  });
});
