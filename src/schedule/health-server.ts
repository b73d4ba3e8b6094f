import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobName, RunRecord } from './run-ledger.js';

/**
 * `GET /healthz`: the service is up, and how each job's last attempt went. Bound to loopback by
 * default (serve.host).
 */
export async function startHealthServer(host: string, port: number, lastRuns: () => ReadonlyMap<JobName, RunRecord>, now: () => Date): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || new URL(request.url ?? '/', 'http://vigil').pathname !== '/healthz') {
      response.writeHead(404, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ error: 'not found; try GET /healthz' }));
      return;
    }
    const jobs = Object.fromEntries(
      [...lastRuns()].map(([job, run]) => [job, { logical: run.logical, status: run.status, attempt: run.attempt, finishedAt: run.finishedAt.toISOString(), error: run.error || undefined }]),
    );
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ status: 'ok', now: now().toISOString(), jobs }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
