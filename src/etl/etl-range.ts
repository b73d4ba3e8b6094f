import type { IsoDate } from '../time/time.js';
import { prepareEtl, runEtlDay, type EtlDayResult, type EtlDeps, type EtlSettings } from './etl-job.js';

export type EtlDayOutcome = ({ ok: true } & EtlDayResult) | { ok: false; day: IsoDate; error: unknown };

/**
 * Runs the ETL for each day in order. A failed day is reported and the rest continue, so one bad
 * day does not hold a backfill hostage.
 */
export async function runEtlDays(
  deps: EtlDeps,
  settings: EtlSettings,
  days: readonly IsoDate[],
  options: { readonly force?: boolean; readonly onDay?: (day: IsoDate, index: number) => void } = {},
): Promise<EtlDayOutcome[]> {
  const plan = await prepareEtl(deps, settings);
  const outcomes: EtlDayOutcome[] = [];
  for (const [index, day] of days.entries()) {
    options.onDay?.(day, index);
    try {
      outcomes.push({ ok: true, ...(await runEtlDay(deps, settings, plan, day, { force: options.force ?? false })) });
    } catch (error) {
      outcomes.push({ ok: false, day, error });
    }
  }
  return outcomes;
}
