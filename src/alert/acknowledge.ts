import { NotificationJournal } from '../notify/journal.js';
import type { VigilTables } from '../tables/vigil-tables.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** A metric (or `no_data`) of a slice, at a window of the incident being acknowledged. */
export interface AcknowledgedSubject {
  readonly subject: string;
  readonly slice: string;
  readonly window: Date;
}

/**
 * Records "I'm on it" for open incidents: the alert sends no repeats of them until each resolves.
 * Telegram's button and the dashboard both write it, with who did it in `note`.
 */
export async function recordAcknowledgement(
  warehouse: Warehouse,
  tables: VigilTables,
  subjects: readonly AcknowledgedSubject[],
  note: string,
  now: Date,
): Promise<void> {
  await new NotificationJournal(warehouse, tables).write(
    [
      {
        decisions: subjects.map((s) => ({ ...s, kind: 'acknowledged' })),
        notification: undefined,
        destinations: [],
        note,
      },
    ],
    now,
  );
}
