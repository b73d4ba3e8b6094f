import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { alertSettingsFrom, alertTables } from '../alert/alert-job.js';
import type { Config } from '../config/schema.js';
import { etlSettingsFrom } from '../etl/etl-settings.js';
import type { DashboardSettings } from './dashboard-data.js';

export function dashboardSettingsFrom(config: Config): DashboardSettings {
  const etl = etlSettingsFrom(config);
  const alerts = alertSettingsFrom(config);
  return {
    sources: etl.sources,
    target: etl.target,
    timezone: config.timezone,
    locale: alerts.locale,
    lagMs: alerts.lagMs,
    metricOptions: (metric) => {
      const configured = config.alerts.metrics[metric];
      return { a: configured?.a ?? 4, n: configured?.n ?? 5 };
    },
    notifications: alertTables(alerts.database).notifications,
    dimensions: etl.dimensions.map((d) => d.name),
  };
}

/** Puts the web app on host:port (port 0 picks a free one) and says where. */
export async function startWebServer(app: Hono, host: string, port: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(started));
    started.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
