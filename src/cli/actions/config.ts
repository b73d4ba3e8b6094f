import { localLinkWarning } from '../../app/settings.js';
import { formatConfig } from '../../config/redact.js';
import { exposedWithoutToken } from '../../web/hosts.js';
import type { CliContext } from '../cli-context.js';

export function action(ctx: CliContext): Promise<void> {
  const { config, source } = ctx.config();
  ctx.print(`# source: ${source}\n${formatConfig(config)}`);
  // What vigil serve would refuse or warn about, said before it is started.
  const exposed = exposedWithoutToken(config.serve);
  if (exposed !== undefined) ctx.logger.warn(`${exposed.path}: ${exposed.message} (vigil serve refuses to start)`);
  const linkWarning = localLinkWarning(config);
  if (linkWarning !== undefined) ctx.logger.warn(linkWarning);
  return Promise.resolve();
}
