import { JobError } from '../../errors/vigil-error.js';
import type { CliContext } from '../cli-context.js';

/**
 * A one-off run (cron, a person) under the same claim as serve's run of it: refused while another
 * process runs it, so nothing is done or sent twice; done again when it is finished (a re-run).
 */
export async function exclusively<T>(ctx: CliContext, key: string, work: () => Promise<T>): Promise<T> {
  const { runs } = await ctx.coordination();
  const outcome = await runs.run(key, work, { wait: false, again: true });
  if (outcome.ran) return outcome.value;
  throw new JobError(`${key.replace(/^run:/, '').replace(':', ' ')} is ${outcome.why}: not running it twice`, {
    hint: 'try again once it has finished (vigil runs shows it)',
  });
}
