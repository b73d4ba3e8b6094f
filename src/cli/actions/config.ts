import { formatConfig } from '../../config/redact.js';
import type { CliContext } from '../cli-context.js';

export function action(ctx: CliContext): Promise<void> {
  const { config, source } = ctx.config();
  ctx.print(`# source: ${source}\n${formatConfig(config)}`);
  return Promise.resolve();
}
