import type { TableName } from '../warehouse/identifiers.js';

/**
 * SPEC §3's target table. One partition per day, so a day is replaced atomically by
 * `REPLACE PARTITION` from a staging table of the same structure.
 */
export function createSlicesTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  event_date Date, dimension String, dimension_value String,
  views UInt64, likes UInt64, messages_received UInt64, messages_sent UInt64, users_received UInt64, users_sent UInt64
) ENGINE = MergeTree PARTITION BY event_date ORDER BY (event_date, dimension, dimension_value)`;
}

/**
 * vigil's per-user-day digest, kept beside the target: each user's latest own row of the day (its
 * time, 0 for a user who only received messages, and attributes) and their counts of the day.
 * The ETL writes day D's digest as its first step, computes D's slices from it, and reads the
 * look-back from earlier digests instead of re-scanning 30 days of raw events each night.
 * Unsorted within a day: every reader takes whole days, so a sort would buy nothing.
 */
export function createUserDaysTableSql(table: TableName, comment: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
  event_date Date, user_id UInt32, last_time DateTime('UTC'),
  gender UInt8, age UInt8, os String, country String, city String, source String, exp_group Int8,
  views UInt64, likes UInt64, messages_sent UInt64, users_sent UInt64, messages_received UInt64, users_received UInt64
) ENGINE = MergeTree PARTITION BY event_date ORDER BY tuple()
COMMENT '${comment.replace(/[^\w ,]/g, '')}'`;
}

/**
 * Which days have a digest, including days without events (which leave no digest rows): without
 * it an empty day in the look-back would be digested again on every run.
 */
export function createDigestedDaysTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (event_date Date, users UInt64)
ENGINE = ReplacingMergeTree ORDER BY event_date`;
}
