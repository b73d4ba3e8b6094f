import { silencedSubject, SilenceStore } from '../../silence/silences.js';
import { formatLocalTime } from '../../time/time.js';
import { whenMissing } from '../../warehouse/warehouse-error.js';
import type { CliContext } from '../cli-context.js';
import type { SilenceFlags } from '../commands/silence.js';

export async function action(ctx: CliContext, flags: SilenceFlags): Promise<void> {
  const { timezone, tables } = ctx.settings();
  const now = ctx.io.now().getTime();
  const silences = await new SilenceStore(await ctx.openWarehouse(), tables).current(now).catch(whenMissing([]));
  if (flags.json) {
    ctx.print(
      silences
        .map((s) =>
          JSON.stringify({
            ...s,
            startsAt: new Date(s.startsAt).toISOString(),
            endsAt: new Date(s.endsAt).toISOString(),
            createdAt: new Date(s.createdAt).toISOString(),
          }),
        )
        .join('\n'),
    );
    return;
  }
  if (silences.length === 0) {
    ctx.print('no silences in force or to come (vigil silence add makes one)');
    return;
  }
  const time = (ms: number) => formatLocalTime(new Date(ms), timezone);
  for (const s of silences) {
    const what = silencedSubject(s);
    const when = s.startsAt > now ? `from ${time(s.startsAt)} ` : '';
    const why = s.comment === '' ? '' : `: ${s.comment}`;
    ctx.print(`${s.id}  ${what} ${when}until ${time(s.endsAt)}, by ${s.createdBy} at ${time(s.createdAt)}${why}`);
  }
}
