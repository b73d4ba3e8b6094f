import { describe, expect, it } from 'vitest';
import { settingsFrom } from '../../src/app/settings.js';
import { createDelivery } from '../../src/app/create-delivery.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { destinationsFor } from '../../src/notify/dispatch.js';

const both = {
  telegram: { token: '1:x', chatId: -1 },
  webhook: { url: 'https://hooks.example.com/vigil', secret: 'sixteen-chars-or-more' },
};
const deliveryWith = (routes: unknown[]) =>
  createDelivery(settingsFrom(configSchema.parse({ notify: { ...both, routes } })).delivery, {
    logger: silentLogger,
    now: () => new Date(),
  });

describe('notify.routes', () => {
  it('send each notification to the destinations of the routes it matches, else to all', () => {
    const delivery = deliveryWith([
      { match: { metric: ['messages', 'senders'] }, to: ['webhook'] },
      { match: { kind: ['report'] }, to: ['telegram'] },
    ]);
    expect(destinationsFor(delivery, 'alert', ['messages'])).toEqual(['webhook']);
    // A grouped message about a routed and an unrouted metric goes where the routed one goes.
    expect(destinationsFor(delivery, 'alert', ['views', 'senders'])).toEqual(['webhook']);
    expect(destinationsFor(delivery, 'alert', ['views'])).toEqual(['telegram', 'webhook']);
    expect(destinationsFor(delivery, 'report', ['report'])).toEqual(['telegram']);
    expect(destinationsFor(deliveryWith([]), 'alert', ['views'])).toEqual(['telegram', 'webhook']);
  });

  it('name only destinations that are configured', () => {
    const result = configSchema.safeParse({
      notify: { telegram: both.telegram, routes: [{ match: { metric: ['views'] }, to: ['webhook'] }] },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['notify.routes.0.to.0', 'a configured destination (telegram)'],
    ]);
  });
});
