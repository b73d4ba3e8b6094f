import { randomInt } from 'node:crypto';
import type { IsoDate } from '../time/time.js';
import { quoteIdentifier, siblingTable, type TableName } from '../warehouse/identifiers.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/*
 * How the target keeps its days so that no crash can show a day twice or half. Each computation
 * of a day is a *generation*: its rows are written under a new generation number into
 * `<target>_rows` (invisible), checked, then published by one single-row insert into
 * `<target>_published`, which a single part makes atomic. The target itself is a view that shows,
 * for each day, the rows of its latest published generation only. A run killed anywhere leaves a
 * day old or new for every reader; rows of unpublished or superseded generations are dropped by
 * the next publication of that day.
 */

/** The metric columns of SPEC §3, in the target's order. */
export const SLICE_COUNTS = [
  'views',
  'likes',
  'messages_received',
  'messages_sent',
  'users_received',
  'users_sent',
] as const;

/** The tables behind the target view. */
export interface TargetStore {
  /** SPEC §3's target as readers see it: a view. */
  readonly view: TableName;
  /** Every generation's rows. */
  readonly rows: TableName;
  /** Which generation of each day is published. */
  readonly published: TableName;
}

export function targetStore(target: TableName): TargetStore {
  return { view: target, rows: siblingTable(target, '_rows'), published: siblingTable(target, '_published') };
}

/** Published totals of a day: the events its rows add up to (any dimension gives the same). */
export interface DayTotals {
  readonly views: number;
  readonly likes: number;
  readonly messages: number;
}

/** Creates the store (and turns a target table of vigil ≤ 0.1 into it, keeping its rows). Idempotent. */
export async function ensureTargetStore(warehouse: Warehouse, store: TargetStore): Promise<void> {
  const counts = SLICE_COUNTS.map((c) => `${c} UInt64`).join(', ');
  await warehouse.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(store.view.database)}`, {
    idempotent: true,
  });
  await warehouse.command(
    `CREATE TABLE IF NOT EXISTS ${store.rows.sql} (
  event_date Date, generation UInt64, dimension String, dimension_value String, ${counts}
) ENGINE = MergeTree PARTITION BY (event_date, generation)
ORDER BY (event_date, generation, dimension, dimension_value)`,
    { idempotent: true },
  );
  await warehouse.command(
    `CREATE TABLE IF NOT EXISTS ${store.published.sql} (event_date Date, generation UInt64)
ENGINE = ReplacingMergeTree(generation) ORDER BY event_date`,
    { idempotent: true },
  );
  const engine = await tableEngine(warehouse, store.view);
  const legacy = await tableEngine(warehouse, siblingTable(store.view, '_legacy'));
  if ((engine !== undefined && engine !== 'View') || legacy !== undefined) await adoptLegacyTable(warehouse, store);
  if (engine !== 'View') await warehouse.command(createViewSql(store), { idempotent: true });
}

/** The view: each day's rows of its latest published generation. */
function createViewSql(store: TargetStore): string {
  return `CREATE VIEW IF NOT EXISTS ${store.view.sql} AS
SELECT event_date, dimension, dimension_value, ${SLICE_COUNTS.join(', ')}
FROM ${store.rows.sql}
WHERE (event_date, generation) IN (SELECT event_date, max(generation) FROM ${store.published.sql} GROUP BY event_date)`;
}

/**
 * vigil ≤ 0.1 kept the target as a table: its rows become generation 1 of their days, published,
 * and the table gives way to the view. Every step can be repeated after a crash: the table is
 * first renamed aside, and generation 1 is written afresh until the renamed table is dropped.
 */
async function adoptLegacyTable(warehouse: Warehouse, store: TargetStore): Promise<void> {
  const legacy = siblingTable(store.view, '_legacy');
  if ((await tableEngine(warehouse, store.view)) !== undefined) {
    await warehouse.command(`RENAME TABLE ${store.view.sql} TO ${legacy.sql}`);
  }
  const copied = await warehouse.query<{ day: string }>(
    `SELECT DISTINCT toString(event_date) AS day FROM ${store.rows.sql} WHERE generation = 1`,
  );
  for (const { day } of copied) await discardGeneration(warehouse, store, day, 1);
  await warehouse.command(
    `INSERT INTO ${store.rows.sql} (event_date, generation, dimension, dimension_value, ${SLICE_COUNTS.join(', ')})
SELECT event_date, 1, dimension, dimension_value, ${SLICE_COUNTS.join(', ')} FROM ${legacy.sql}`,
  );
  await warehouse.command(
    `INSERT INTO ${store.published.sql} (event_date, generation) SELECT DISTINCT event_date, 1 FROM ${legacy.sql}`,
  );
  await warehouse.command(`DROP TABLE ${legacy.sql}`, { idempotent: true });
}

async function tableEngine(warehouse: Warehouse, table: TableName): Promise<string | undefined> {
  const [row] = await warehouse.query<{ engine: string }>(
    'SELECT engine FROM system.tables WHERE database = {database:String} AND name = {table:String}',
    { params: { database: table.database, table: table.table } },
  );
  return row?.engine;
}

/**
 * Generations go up by this much per run, plus a random part below it: runs of one day that start
 * at once (a backfill beside a scheduled run) read the same state, and must not write their rows
 * into one generation, which would then count the day twice.
 */
const GENERATION_STRIDE = 2 ** 20;

/** What the store holds of a day before a new generation of it is written. */
export interface DayState {
  /** A generation number newer than any the store has seen for the day, published or not, and this run's own. */
  readonly next: number;
  /** The generations with rows of the day: superseded once the new one is published. */
  readonly written: readonly number[];
  /** The day's totals as published now; undefined when the day has no rows. */
  readonly published: DayTotals | undefined;
}

/** The day's generations and published totals, in one statement (the ETL's fixed costs add up at small volumes). */
export async function dayState(warehouse: Warehouse, store: TargetStore, day: IsoDate): Promise<DayState> {
  const [row] = await warehouse.query<{
    written: number[];
    published_generation: number;
    published_rows: number;
    views: number;
    likes: number;
    messages: number;
  }>(
    `WITH (SELECT max(generation) FROM ${store.published.sql} WHERE event_date = {day:Date}) AS published_generation
SELECT groupUniqArray(generation) AS written, published_generation,
  countIf(generation = published_generation AND dimension = 'os') AS published_rows,
  sumIf(views, generation = published_generation AND dimension = 'os') AS views,
  sumIf(likes, generation = published_generation AND dimension = 'os') AS likes,
  sumIf(messages_sent, generation = published_generation AND dimension = 'os') AS messages
FROM ${store.rows.sql} WHERE event_date = {day:Date}`,
    { params: { day } },
  );
  const written = row?.written ?? [];
  const seen = Math.max(row?.published_generation ?? 0, ...written);
  return {
    next: (Math.floor(seen / GENERATION_STRIDE) + 1) * GENERATION_STRIDE + randomInt(GENERATION_STRIDE),
    written,
    published:
      row && row.published_rows > 0 ? { views: row.views, likes: row.likes, messages: row.messages } : undefined,
  };
}

/**
 * Publishes a written generation of a day in one atomic step, then drops the rows of the
 * generations it supersedes (older publications, or generations a killed run left unpublished).
 */
export async function publishGeneration(
  warehouse: Warehouse,
  store: TargetStore,
  day: IsoDate,
  generation: number,
  superseded: readonly number[],
): Promise<void> {
  await warehouse.insert(store.published, [{ event_date: day, generation }]);
  // Only older generations: a newer one belongs to a run that began after this one read the day.
  const drops = superseded.filter((other) => other < generation);
  if (drops.length === 0) return;
  const partitions = drops.map((other) => `DROP PARTITION (toDate('${day}'), ${other})`).join(', ');
  await warehouse.command(`ALTER TABLE ${store.rows.sql} ${partitions}`, { idempotent: true });
}

/** Drops the rows of a generation that will not be published (its checks failed). */
export async function discardGeneration(
  warehouse: Warehouse,
  store: TargetStore,
  day: IsoDate,
  generation: number,
): Promise<void> {
  await warehouse.command(`ALTER TABLE ${store.rows.sql} DROP PARTITION (toDate('${day}'), ${generation})`, {
    idempotent: true,
  });
}
