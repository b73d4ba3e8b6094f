import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { JobError } from '../errors/vigil-error.js';

/** The web server could not listen where it was told to. */
export class ListenError extends JobError {
  override readonly name = 'ListenError';
}

/** Puts the web app on host:port (port 0 picks a free one) and says where. */
export async function startWebServer(
  app: Hono,
  host: string,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(started));
    started.once('error', (error: NodeJS.ErrnoException) => {
      const what =
        error.code === 'EADDRINUSE'
          ? 'is in use by another program'
          : error.code === 'EADDRNOTAVAIL'
            ? 'is not an address of this machine'
            : `cannot be used (${error.code ?? error.message})`;
      reject(
        new ListenError(`${host}:${port} ${what}`, {
          hint: 'set serve.port (or serve.host) in the config to a free one',
          cause: error,
        }),
      );
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
