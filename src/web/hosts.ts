import type { ConfigProblem } from '../config/config-error.js';

/** Whether a host name or address is this machine only (loopback). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** Whether a link to this host works only on this machine: loopback, or the any-address. */
export function isLocalHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return isLoopbackHost(bare) || bare === '0.0.0.0' || bare === '::';
}

/**
 * The dashboard can silence alerts: on an address other machines reach, it needs a token. The
 * problem to refuse to start with, if there is one.
 */
export function exposedWithoutToken(serve: { host: string; token?: string | undefined }): ConfigProblem | undefined {
  if (isLoopbackHost(serve.host) || serve.token !== undefined) return undefined;
  return {
    path: 'serve.token',
    message:
      `serve.host ${serve.host} lets other machines reach the dashboard, which can silence alerts: ` +
      'set serve.token (8 characters or more; from the environment: token: ${VIGIL_DASHBOARD_TOKEN}), ' +
      'or serve.host: 127.0.0.1',
  };
}
