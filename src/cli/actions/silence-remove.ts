import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../errors/vigil-error.js';
import { SilenceStore } from '../../silence/silences.js';
import { whenMissing } from '../../warehouse/warehouse-error.js';
import type { CliContext } from '../cli-context.js';
import type { SilenceFlags } from '../commands/silence.js';

export async function action(ctx: CliContext, flags: SilenceFlags, command: Command): Promise<void> {
  const [id = ''] = command.args;
  const store = new SilenceStore(await ctx.openWarehouse(), ctx.settings().tables);
  const removed = await store
    .remove(id, flags.by ?? userInfo().username, ctx.io.now().getTime())
    .catch(whenMissing(false));
  if (!removed)
    throw new UsageError(`no silence ${JSON.stringify(id)} in force or to come (vigil silence list shows them)`);
  ctx.print(`silence ${id} ended`);
}
