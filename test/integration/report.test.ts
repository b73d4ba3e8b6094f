import { beforeAll, describe, expect, it } from 'vitest';
import { queryReport } from '../../src/report/report-job.js';
import { vigilTables } from '../../src/tables/vigil-tables.js';
import type { DayMetrics } from '../../src/daily/daily-report.js';
import { createFeedTableSql, createMessagesTableSql } from '../../src/simulate/source-tables.js';
import { tableName } from '../../src/warehouse/identifiers.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { localDate, type Attributes, type FeedRow, type MessageRow } from '../support/slices-reference.js';
import { useEmbeddedWarehouse } from '../support/embedded-warehouse.js';

const TZ = 'Europe/Moscow';
const who: Attributes = {
  gender: 1,
  age: 30,
  os: 'iOS',
  country: 'Russia',
  city: 'Moscow',
  source: 'ads',
  exp_group: 1,
};
const feed = (user_id: number, action: 'view' | 'like', time: string): FeedRow => ({
  user_id,
  post_id: 1,
  action,
  time,
  ...who,
});
const message = (user_id: number, reciever_id: number, time: string): MessageRow => ({
  user_id,
  reciever_id,
  time,
  ...who,
});

// History shorter than 7 days: events start on 2024-03-08 (Moscow). 2024-03-09 has messages but no feed at all.
const FEED = [
  feed(1, 'view', '2024-03-07 21:00:00'),
  feed(1, 'like', '2024-03-07 21:00:05'),
  feed(2, 'view', '2024-03-08 10:00:00'),
  feed(3, 'view', '2024-03-08 20:59:59'),
  feed(1, 'view', '2024-03-09 21:30:00'),
  feed(2, 'view', '2024-03-10 08:00:00'),
  feed(2, 'like', '2024-03-10 08:00:01'),
  feed(4, 'view', '2024-03-10 12:00:00'),
];
const MESSAGES = [
  message(3, 1, '2024-03-08 11:00:00'),
  message(3, 1, '2024-03-08 11:05:00'),
  message(5, 6, '2024-03-08 22:00:00'),
  message(5, 7, '2024-03-09 09:00:00'),
  message(6, 5, '2024-03-09 10:00:00'),
  message(2, 9, '2024-03-10 09:00:00'),
  message(8, 9, '2024-03-10 10:00:00'),
];

/** SPEC §4 for one day, computed here from the raw rows. */
function reference(day: string): DayMetrics | undefined {
  const f = FEED.filter((r) => localDate(r.time, TZ) === day);
  const m = MESSAGES.filter((r) => localDate(r.time, TZ) === day);
  if (f.length + m.length === 0) return undefined;
  const feedUsers = new Set(f.map((r) => r.user_id));
  const senders = new Set(m.map((r) => r.user_id));
  const views = f.filter((r) => r.action === 'view').length;
  const likes = f.filter((r) => r.action === 'like').length;
  const both = [...feedUsers].filter((u) => senders.has(u)).length;
  return {
    feedUsers: feedUsers.size,
    views,
    likes,
    ctr: views > 0 ? likes / views : undefined,
    senders: senders.size,
    messages: m.length,
    receivers: new Set(m.map((r) => r.reciever_id)).size,
    activeUsers: new Set([...feedUsers, ...senders]).size,
    bothFeatures: both,
    feedOnly: feedUsers.size - both,
    messengerOnly: senders.size - both,
  };
}

const opened = useEmbeddedWarehouse();
let warehouse: Warehouse;
beforeAll(async () => {
  warehouse = opened();
  await warehouse.command('CREATE DATABASE src');
  await warehouse.command(createFeedTableSql(tableName('src.feed_actions')));
  await warehouse.command(createMessagesTableSql(tableName('src.message_actions'), 'reciever_id'));
  await warehouse.insert(tableName('src.feed_actions'), FEED as unknown as Record<string, unknown>[]);
  await warehouse.insert(tableName('src.message_actions'), MESSAGES as unknown as Record<string, unknown>[]);
});

describe('report metrics', () => {
  const settings = {
    sources: {
      feed: tableName('src.feed_actions'),
      messages: tableName('src.message_actions'),
      receiverColumn: 'reciever_id',
    },
    tables: vigilTables('report_state'),
    timezone: TZ,
    locale: 'en' as const,
  };

  it('match a reference for each of D−7 … D, with no data before the history starts', async () => {
    const report = await queryReport(warehouse, settings, '2024-03-10');
    expect(report.days.map((d) => d.day)).toEqual([
      '2024-03-03',
      '2024-03-04',
      '2024-03-05',
      '2024-03-06',
      '2024-03-07',
      '2024-03-08',
      '2024-03-09',
      '2024-03-10',
    ]);
    for (const { day, metrics } of report.days) expect(metrics, day).toEqual(reference(day));
    expect(report.days.filter((d) => d.metrics !== undefined).map((d) => d.day)).toEqual([
      '2024-03-08',
      '2024-03-09',
      '2024-03-10',
    ]);
  });

  it('has an undefined CTR on a day without views', async () => {
    const report = await queryReport(warehouse, settings, '2024-03-09');
    // 2024-03-09 21:30 UTC is already 03-10 in Moscow: the 9th has messages only.
    expect(report.days.at(-1)?.metrics).toMatchObject({
      views: 0,
      likes: 0,
      ctr: undefined,
      feedUsers: 0,
      senders: 2,
      messengerOnly: 2,
    });
  });

  it('has no metrics for a day without any events', async () => {
    const report = await queryReport(warehouse, settings, '2024-03-12');
    expect(report.days.at(-1)?.metrics).toBeUndefined();
  });
});
