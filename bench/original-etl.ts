import { startOfDay, addDays, toSqlDateTime } from '../src/time/time.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';

/*
 * The original DAG's ETL, reproduced for comparison only: its two extraction queries (with the
 * day bound instead of today() - 1, and with its defects), every per-user row moved to the
 * client, an outer merge on (user_id, age, os, gender) and three group-bys there, as pandas did.
 */

interface FeedUser {
  user_id: number;
  age: number;
  os: string;
  gender: number;
  views: number;
  likes: number;
}
interface MessageUser {
  user_id: number;
  age: number;
  os: string;
  gender: number;
  messages_sent: number;
  users_sent: number;
  messages_received: number;
  users_received: number;
}

export async function originalEtl(
  warehouse: Warehouse,
  feed: string,
  messages: string,
  day: string,
  timezone: string,
): Promise<number> {
  const params = {
    start: toSqlDateTime(startOfDay(day, timezone)),
    end: toSqlDateTime(startOfDay(addDays(day, 1), timezone)),
  };
  const onDay = "time >= {start:DateTime('UTC')} AND time < {end:DateTime('UTC')}";
  const feedUsers = await warehouse.query<FeedUser>(
    `SELECT user_id, age, os, gender, sum(action = 'view') AS views, sum(action = 'like') AS likes
     FROM ${feed} WHERE ${onDay} GROUP BY age, gender, os, user_id`,
    { params },
  );
  const messageUsers = await warehouse.query<MessageUser>(
    `SELECT * FROM
       (SELECT gender, os, age, user_id, count() AS messages_sent, count(DISTINCT reciever_id) AS users_sent
        FROM ${messages} WHERE ${onDay} GROUP BY gender, os, age, user_id) AS sent_tbl
     FULL OUTER JOIN
       (SELECT gender, os, age, count() AS messages_received,
         count(DISTINCT user_id) AS users_received, reciever_id AS user_id
        FROM ${messages} WHERE ${onDay} GROUP BY gender, os, age, user_id) AS rec_tbl
     USING (user_id, os, gender, age)`,
    { params },
  );

  // pandas: df_feed.merge(df_msg, how='outer') on the shared columns.
  const merged = new Map<string, FeedUser & MessageUser>();
  const key = (r: { user_id: number; age: number; os: string; gender: number }) =>
    `${r.user_id}|${r.age}|${r.os}|${r.gender}`;
  const empty = { views: 0, likes: 0, messages_sent: 0, users_sent: 0, messages_received: 0, users_received: 0 };
  for (const r of feedUsers) merged.set(key(r), { ...empty, ...r });
  for (const r of messageUsers) {
    const existing = merged.get(key(r));
    merged.set(
      key(r),
      existing ? { ...existing, ...r, views: existing.views, likes: existing.likes } : { ...empty, ...r },
    );
  }
  let rows = 0;
  for (const dimension of ['os', 'gender', 'age'] as const) {
    const groups = new Map<string, number[]>();
    for (const r of merged.values()) {
      const sums = groups.get(String(r[dimension])) ?? [0, 0, 0, 0, 0, 0];
      sums[0] = (sums[0] ?? 0) + r.views;
      sums[1] = (sums[1] ?? 0) + r.likes;
      sums[2] = (sums[2] ?? 0) + r.messages_received;
      sums[3] = (sums[3] ?? 0) + r.messages_sent;
      sums[4] = (sums[4] ?? 0) + r.users_received;
      sums[5] = (sums[5] ?? 0) + r.users_sent;
      groups.set(String(r[dimension]), sums);
    }
    rows += groups.size;
  }
  return rows;
}
