import { userInfo } from 'node:os';
import { UsageError } from '../../errors/vigil-error.js';
import { ALERT_METRICS, isAlertMetric } from '../../metrics/metrics.js';
import { newSilenceId, silencedSubject, SilenceStore } from '../../silence/silences.js';
import { ensureVigilTables } from '../../tables/vigil-tables.js';
import { parseDuration } from '../../time/duration.js';
import { formatLocalTime } from '../../time/time.js';
import type { CliContext } from '../cli-context.js';
import type { SilenceFlags } from '../commands/silence.js';
import { sliceFlag, timeFlag } from '../parse-flags.js';

/** The longest silence: a forgotten one should not hide alerts for good. */
const MAX_SILENCE_MS = 90 * 86_400_000;

export async function action(ctx: CliContext, flags: SilenceFlags): Promise<void> {
  const metric = flags.metric ?? '';
  if (metric !== 'all' && !isAlertMetric(metric)) {
    throw new UsageError(`--metric must be one of ${ALERT_METRICS.join(', ')}, or all (got ${JSON.stringify(metric)})`);
  }
  const slice = flags.slice === undefined ? undefined : sliceFlag(flags.slice);
  const { timezone, tables } = ctx.settings();
  const now = ctx.io.now().getTime();
  if ((flags.for === undefined) === (flags.until === undefined)) {
    throw new UsageError('give one of --for (e.g. 2h) or --until (a time)');
  }
  let endsAt: number;
  if (flags.for !== undefined) {
    const ms = parseDuration(flags.for);
    if (ms === undefined || ms <= 0) {
      throw new UsageError(`--for must be a duration such as 2h or 30m (got ${JSON.stringify(flags.for)})`);
    }
    endsAt = now + ms;
  } else {
    endsAt = timeFlag('--until', flags.until ?? '', timezone).getTime();
    if (endsAt <= now) throw new UsageError(`--until ${flags.until ?? ''} has passed; a silence runs from now`);
  }
  if (endsAt - now > MAX_SILENCE_MS)
    throw new UsageError('a silence lasts at most 90 days; for good, disable the metric');
  const warehouse = await ctx.openWarehouse();
  await ensureVigilTables(warehouse, tables);
  const id = newSilenceId();
  const subject = { metric: metric === 'all' ? '' : metric, slice: slice ? `${slice.attribute}=${slice.value}` : '' };
  await new SilenceStore(warehouse, tables).add({
    id,
    ...subject,
    startsAt: now,
    endsAt,
    createdBy: flags.by ?? userInfo().username,
    createdAt: now,
    comment: flags.comment ?? '',
  });
  const until = formatLocalTime(new Date(endsAt), timezone);
  ctx.print(`silence ${id}: ${silencedSubject(subject)} until ${until} (vigil silence remove ${id} ends it)`);
}
