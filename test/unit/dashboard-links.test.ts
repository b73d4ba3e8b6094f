import { describe, expect, it } from 'vitest';
import { localLinkWarning } from '../../src/app/settings.js';
import { configSchema } from '../../src/config/schema.js';
import { exposedWithoutToken, isLocalHost, isLoopbackHost } from '../../src/web/hosts.js';
import { settingsFor } from '../support/settings.js';

const telegram = { telegram: { token: '1:x', chatId: -1 } };

describe("alerts' links to the dashboard", () => {
  it('point at dashboard.publicUrl when it is set, else at serve.host:serve.port', () => {
    expect(settingsFor({ dashboard: { publicUrl: 'https://vigil.example.com/' } }).alert.dashboardUrl).toBe(
      'https://vigil.example.com/metric/{metric}?slice={slice}&at={at}',
    );
    expect(settingsFor({ serve: { host: '::1', port: 9000 } }).alert.dashboardUrl).toBe(
      'http://[::1]:9000/metric/{metric}?slice={slice}&at={at}',
    );
    // A template of one's own wins.
    expect(
      settingsFor({
        dashboard: { publicUrl: 'https://vigil.example.com' },
        alerts: { dashboardUrl: 'https://x.example/{metric}' },
      }).alert.dashboardUrl,
    ).toBe('https://x.example/{metric}');
  });

  it.each([
    [{ notify: telegram }, 'Telegram'],
    [{ notify: { webhook: { url: 'https://hooks.example.com/a', secret: 'abcdefghijklmnop' } } }, 'the webhook'],
    [{ notify: telegram, serve: { host: '0.0.0.0', token: 'abcdefgh' } }, 'Telegram'],
  ])('warn when %j sends them to other devices but they point at this machine', (config, who) => {
    expect(localLinkWarning(configSchema.parse(config))).toContain(`alerts sent by ${who} link to http://`);
  });

  it.each([
    [{}],
    [{ notify: telegram, dashboard: { publicUrl: 'https://vigil.example.com' } }],
    [{ notify: telegram, serve: { host: 'vigil.internal', token: 'abcdefgh' } }],
    [{ notify: telegram, alerts: { dashboardUrl: 'https://grafana.example.com/d/{metric}' } }],
  ])('do not warn for %j', (config) => {
    expect(localLinkWarning(configSchema.parse(config))).toBeUndefined();
  });
});

describe('which addresses are this machine only', () => {
  it.each(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
    expect(exposedWithoutToken({ host })).toBeUndefined();
  });

  it.each(['0.0.0.0', '::', '192.168.1.5', 'vigil.internal', '127.0.0.1.example.com'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    expect(exposedWithoutToken({ host })?.path).toBe('serve.token');
    expect(exposedWithoutToken({ host, token: 'abcdefgh' })).toBeUndefined();
  });

  it('links to the any-address are local too', () => {
    expect(isLocalHost('0.0.0.0')).toBe(true);
    expect(isLocalHost('[::]')).toBe(true);
    expect(isLocalHost('vigil.example.com')).toBe(false);
  });
});
