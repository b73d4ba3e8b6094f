import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver accepted: the JSON body and the id header. */
export interface Delivered {
  readonly id: string;
  readonly body: {
    id: string;
    kind: string;
    key: string;
    text: string;
    html: string;
    image: { filename: string; png: string } | null;
  };
}

export interface FakeWebhook {
  readonly url: string;
  /** Every request with a valid signature, answered 2xx. */
  readonly delivered: Delivered[];
  /** Every request seen: its X-Vigil-Id and the status answered. */
  readonly attempts: { id: string; status: number }[];
  /** The next requests are answered with these statuses, in order; then 200. */
  answerNext(...statuses: number[]): void;
  close(): Promise<void>;
}

/**
 * Test support: a local webhook receiver over real HTTP that checks each request's HMAC-SHA256
 * signature against the secret (401 when it does not match) and answers scripted statuses.
 */
export async function startFakeWebhook(secret: string): Promise<FakeWebhook> {
  const delivered: Delivered[] = [];
  const attempts: { id: string; status: number }[] = [];
  const scripted: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const id = String(request.headers['x-vigil-id'] ?? '');
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
      const given = Buffer.from(String(request.headers['x-vigil-signature'] ?? ''));
      const signed = given.length === expected.length && timingSafeEqual(given, expected);
      const status = !signed ? 401 : (scripted.shift() ?? 200);
      attempts.push({ id, status });
      if (status < 300) delivered.push({ id, body: JSON.parse(raw.toString('utf8')) as Delivered['body'] });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `status ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/vigil`,
    delivered,
    attempts,
    answerNext: (...statuses) => scripted.push(...statuses),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
