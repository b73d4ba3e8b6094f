import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { WarehouseError } from '../warehouse/warehouse-error.js';
import { CliContext, type CliIo, type CommandRunner, type GlobalOptions } from './cli-context.js';
import { registerAlertCommand } from './commands/alert-command.js';
import { registerBacktestCommand } from './commands/backtest-command.js';
import { registerConfigCommand } from './commands/config-command.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerEtlCommand } from './commands/etl-command.js';
import { registerReportCommand } from './commands/report-command.js';
import { registerRunsCommand } from './commands/runs-command.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerSimulateCommand } from './commands/simulate-command.js';
import { registerStatusCommand } from './commands/status-command.js';
import { EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { JobFailure, UsageError } from './usage-error.js';

/** Runs one command of the `vigil` CLI and returns its exit code (SPEC §6). */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('vigil');

  /** Wraps a command's action: builds its context, maps failures to messages and exit codes. */
  const run: CommandRunner =
    (action) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args.at(-1) as Command;
      const ctx = new CliContext(io, program.opts<GlobalOptions>());
      try {
        await action(ctx, command.opts(), command);
      } catch (error) {
        exitCode = report(error, ctx, command);
      } finally {
        await ctx.close().catch((error: unknown) => ctx.logger.warn(`closing the warehouse: ${String(error)}`));
      }
    };

  program
    .description(
      'Watch a feed + messenger product in ClickHouse: daily slice metrics (etl), a daily report, ' +
        'and 15-minute anomaly alerts, delivered to Telegram or a local outbox.',
    )
    .version(packageVersion(), '-V, --version')
    .option('-c, --config <file>', 'configuration file (default: $VIGIL_CONFIG, else ./vigil.yaml, else built-in defaults)')
    .option('-q, --quiet', 'print only warnings and errors')
    .option('-v, --verbose', 'print debug details')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (message, write) => write(`vigil: ${message.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 the job failed, 2 bad usage or configuration.
Dates are YYYY-MM-DD; times are ISO 8601 (2024-03-04T12:00:00Z, or without an offset = in the
configured timezone). Start with 'vigil demo', which runs everything on an embedded warehouse.`,
    );

  registerDemoCommand(program, run);
  registerSimulateCommand(program, run);
  registerEtlCommand(program, run);
  registerReportCommand(program, run);
  registerAlertCommand(program, run);
  registerBacktestCommand(program, run);
  registerServeCommand(program, run);
  registerRunsCommand(program, run);
  registerStatusCommand(program, run);
  registerConfigCommand(program, run);

  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
    const command = findCommand(program, argv);
    io.stderr(`${usageLine(command)}\n`);
    return EXIT_USAGE;
  }
  return exitCode;
}

function report(error: unknown, ctx: CliContext, command: Command): number {
  const name = `vigil ${command.name()}`;
  if (error instanceof UsageError) {
    ctx.io.stderr(ctx.redact(`${name}: ${error.message}\n${usageLine(command)}\n`));
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    ctx.io.stderr(`${name}: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof WarehouseError || error instanceof JobFailure) {
    ctx.io.stderr(ctx.redact(`${name}: ${error.message}\n`));
    return EXIT_JOB_FAILED;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  ctx.io.stderr(ctx.redact(`${name}: unexpected error (this is a bug in vigil; please report it with the lines below)\n${detail}\n`));
  return EXIT_JOB_FAILED;
}

function usageLine(command: Command): string {
  const path: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) path.unshift(c.name());
  return `Usage: ${path.join(' ')} ${command.usage()}\nRun '${path.join(' ')} --help' for details.`;
}

function findCommand(program: Command, argv: readonly string[]): Command {
  return program.commands.find((c) => argv.includes(c.name())) ?? program;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stderr.isTTY,
    now: () => new Date(),
  };
}
