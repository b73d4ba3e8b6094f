import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { VigilError } from '../errors/vigil-error.js';
import type { CliIo, CommandRunner, GlobalOptions } from './cli-context.js';
import { defineAlertCommand } from './commands/alert.js';
import { defineBacktestCommand } from './commands/backtest.js';
import { defineSeriesCommand } from './commands/series.js';
import { defineNotifyCommand } from './commands/notify.js';
import { defineSilenceCommand } from './commands/silence.js';
import { defineConfigCommand } from './commands/config.js';
import { defineDemoCommand } from './commands/demo.js';
import { defineEtlCommand } from './commands/etl.js';
import { defineReportCommand } from './commands/report.js';
import { defineRunsCommand } from './commands/runs.js';
import { defineServeCommand } from './commands/serve.js';
import { defineSimulateCommand } from './commands/simulate.js';
import { defineStatusCommand } from './commands/status.js';

/** SPEC §6: 0 success, 1 the job failed, 2 bad usage or config. */
export const EXIT_OK = 0;
export const EXIT_JOB_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * Runs one command of the `vigil` CLI and returns its exit code (SPEC §6). Only the command that
 * runs is loaded, so `--help` and `--version` load neither the warehouse nor the charts.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('vigil');

  const run: CommandRunner =
    (load) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args.at(-1) as Command;
      const { CliContext } = await import('./cli-context.js');
      const ctx = new CliContext(io, program.opts<GlobalOptions>());
      try {
        const { action } = await load();
        await action(ctx, command.opts<never>(), command);
      } catch (error) {
        const failure = describeFailure(error, command);
        ctx.io.stderr(ctx.redact(failure.text));
        exitCode = failure.exitCode;
      } finally {
        await ctx.close().catch((error: unknown) => ctx.logger.warn(`closing the warehouse: ${String(error)}`));
      }
    };

  program
    .description(
      'Watch a feed + messenger product in ClickHouse: daily slice metrics (etl), a daily report, ' +
        'and 15-minute anomaly alerts, delivered to Telegram, a webhook, email or a local outbox.',
    )
    .version(packageVersion(), '-V, --version')
    .option(
      '-c, --config <file>',
      'configuration file (default: $VIGIL_CONFIG, else ./vigil.yaml, else built-in defaults)',
    )
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

  defineDemoCommand(program, run);
  defineSimulateCommand(program, run);
  defineEtlCommand(program, run);
  defineReportCommand(program, run);
  defineAlertCommand(program, run);
  defineBacktestCommand(program, run);
  defineSeriesCommand(program, run);
  defineSilenceCommand(program, run);
  defineNotifyCommand(program, run);
  defineServeCommand(program, run);
  defineRunsCommand(program, run);
  defineStatusCommand(program, run);
  defineConfigCommand(program, run);

  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return EXIT_OK;
    io.stderr(`${usageLine(findCommand(program, argv))}\n`);
    return EXIT_USAGE;
  }
  return exitCode;
}

/**
 * The one place failures become exit codes: the user's mistake (usage, config) is one line and
 * the usage, exit 2; a job's failure is one line saying what to fix, exit 1; anything else is a
 * bug in vigil and prints its stack, exit 1.
 */
export function describeFailure(error: unknown, command: Command): { exitCode: number; text: string } {
  const name = commandPath(command).join(' ');
  if (error instanceof VigilError) {
    const line = `${name}: ${error.message}${error.hint === undefined ? '' : `; ${error.hint}`}`;
    return error.blame === 'usage'
      ? { exitCode: EXIT_USAGE, text: `${line}\n${usageLine(command)}\n` }
      : { exitCode: EXIT_JOB_FAILED, text: `${line}\n` };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const bug = 'unexpected error (this is a bug in vigil; please report it with the lines below)';
  return { exitCode: EXIT_JOB_FAILED, text: `${name}: ${bug}\n${detail}\n` };
}

/** `vigil`, and the command's names down to it: `vigil silence add`. */
function commandPath(command: Command): string[] {
  const path: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) path.unshift(c.name());
  return path[0] === 'vigil' ? path : ['vigil', ...path];
}

function usageLine(command: Command): string {
  const path = commandPath(command).join(' ');
  return `Usage: ${path} ${command.usage()}\nRun '${path} --help' for details.`;
}

function findCommand(program: Command, argv: readonly string[]): Command {
  return program.commands.find((c) => argv.includes(c.name())) ?? program;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function processIo(): CliIo {
  // Output piped into `head` and the like: once the reader has had enough, stop quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stderr.isTTY,
    now: () => new Date(),
    stopSignal: () =>
      new Promise((resolve) => {
        const stop = (signal: string) => {
          // A second signal exits at once.
          process.once('SIGINT', () => process.exit(1));
          process.once('SIGTERM', () => process.exit(1));
          resolve(signal);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      }),
  };
}
