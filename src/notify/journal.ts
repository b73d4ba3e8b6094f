import type { VigilTables } from '../tables/vigil-tables.js';
import { toSqlDateTime, toSqlDateTime64 } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { notificationId, type Notification } from './notifier.js';

/** One thing decided about one subject, as the journal keeps it. */
export interface Decided {
  /** A metric, `no_data`, or `report`. */
  readonly subject: string;
  /** '' for the whole product, `attribute=value` for a slice, the source for `no_data`. */
  readonly slice: string;
  /** started, repeated, resolved (alerts and sources), report. */
  readonly kind: string;
  /** The window (alerts) or the day's start (reports) it is about. */
  readonly window: Date;
  readonly value?: number | undefined;
  readonly low?: number | undefined;
  readonly up?: number | undefined;
}

/** What a run decided: the subjects, and the message announcing them to its destinations (none when silent). */
export interface JournalEntry {
  readonly decisions: readonly Decided[];
  readonly notification: Notification | undefined;
  readonly destinations: readonly string[];
  /** Without a message: what was done, by whom (an acknowledgement from Telegram), in its `text`. */
  readonly note?: string;
}

/** A message some destination has not acknowledged yet. */
export interface PendingNotification {
  readonly notification: Notification;
  readonly destinations: readonly string[];
}

/**
 * The notifications journal in the warehouse. Decisions and the message announcing them are
 * written in one insert before anything is sent (write-ahead); each delivery to each destination
 * is written after it. A message is pending until every destination of it has a `sent` row, so a
 * crash, a failed send or a run cut short by its deadline loses nothing, and a message already
 * sent somewhere is never sent there again.
 */
export class NotificationJournal {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly tables: VigilTables,
  ) {}

  /** Writes a run's decisions and messages, as one insert: all of them or none. */
  async write(entries: readonly JournalEntry[], now: Date): Promise<void> {
    const rows = entries.flatMap(({ decisions, notification, destinations, note }) =>
      decisions.map((decided, index) => ({
        recorded_at: toSqlDateTime64(now),
        message: notification ? notificationId(notification) : '',
        entry: 'decided',
        destination: '',
        subject: decided.subject,
        slice: decided.slice,
        kind: decided.kind,
        window_start: toSqlDateTime(decided.window),
        value: decided.value ?? null,
        low: decided.low ?? null,
        up: decided.up ?? null,
        destinations: notification ? destinations : [],
        // The message rides on its first subject's row.
        text: index === 0 && notification ? notification.text : (note ?? ''),
        image:
          index === 0 && notification?.image
            ? `${notification.image.filename}:${notification.image.png.toString('base64')}`
            : '',
        error: '',
      })),
    );
    if (rows.length > 0) await this.warehouse.insert(this.tables.notifications, rows);
  }

  /** Records one delivery attempt's outcome. */
  async delivered(id: string, destination: string, outcome: { error?: string }, now: Date): Promise<void> {
    await this.warehouse.insert(this.tables.notifications, [
      {
        recorded_at: toSqlDateTime64(now),
        message: id,
        entry: outcome.error === undefined ? 'sent' : 'failed',
        destination,
        error: outcome.error ?? '',
      },
    ]);
  }

  /** The destinations each of these messages has already been delivered to. */
  async sentTo(ids: readonly string[]): Promise<Map<string, Set<string>>> {
    const sent = new Map<string, Set<string>>();
    if (ids.length === 0) return sent;
    const rows = await this.warehouse.query<{ message: string; destination: string }>(
      `SELECT DISTINCT message, destination FROM ${this.tables.notifications.sql}
       WHERE entry = 'sent' AND has(splitByChar('\\n', {ids:String}), message)`,
      { params: { ids: ids.join('\n') } },
    );
    for (const row of rows) sent.set(row.message, (sent.get(row.message) ?? new Set()).add(row.destination));
    return sent;
  }

  /** Messages with a destination that has not taken them yet, oldest first, at most `limit`. */
  async pending(limit: number): Promise<PendingNotification[]> {
    const waiting = await this.warehouse.query<{ message: string; missing: string[] }>(
      `${pendingMessagesSql(this.tables)} LIMIT {limit:UInt32}`,
      { params: { limit } },
    );
    return this.payloads(waiting);
  }

  /** The text and picture of messages known to be pending, with the destinations they still need. */
  async payloads(waiting: readonly { message: string; missing: readonly string[] }[]): Promise<PendingNotification[]> {
    if (waiting.length === 0) return [];
    const rows = await this.warehouse.query<{ message: string; text: string; image: string }>(
      `SELECT message, argMaxIf(text, recorded_at, text != '') AS text,
         argMaxIf(image, recorded_at, image != '') AS image
       FROM ${this.tables.notifications.sql}
       WHERE entry = 'decided' AND has(splitByChar('\\n', {ids:String}), message)
       GROUP BY message`,
      { params: { ids: waiting.map((w) => w.message).join('\n') } },
    );
    const payload = new Map(rows.map((row) => [row.message, row]));
    return waiting.flatMap(({ message, missing }) => {
      const row = payload.get(message);
      return row && row.text !== '' ? [{ notification: fromRow(row), destinations: missing }] : [];
    });
  }
}

/**
 * The messages some destination has not taken, oldest first: `message` and the `missing`
 * destinations. Reads the journal's small columns only.
 */
export function pendingMessagesSql(tables: VigilTables): string {
  return `SELECT message, missing FROM (
  SELECT message, min(recorded_at) AS first,
    argMaxIf(destinations, recorded_at, entry = 'decided') AS wanted,
    groupUniqArrayIf(destination, entry = 'sent') AS done,
    arrayFilter(d -> NOT has(done, d), wanted) AS missing
  FROM ${tables.notifications.sql}
  WHERE message != ''
  GROUP BY message
)
WHERE length(missing) > 0
ORDER BY first`;
}

function fromRow(row: { message: string; text: string; image: string }): Notification {
  const dash = row.message.indexOf('-');
  const colon = row.image.indexOf(':');
  const image =
    colon > 0
      ? { filename: row.image.slice(0, colon), png: Buffer.from(row.image.slice(colon + 1), 'base64') }
      : undefined;
  return {
    kind: row.message.slice(0, dash),
    key: row.message.slice(dash + 1),
    text: row.text,
    ...(image ? { image } : {}),
  };
}
