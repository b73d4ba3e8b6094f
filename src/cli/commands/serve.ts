import type { Command } from 'commander';
import type { CommandRunner } from '../cli-context.js';

export interface ServeFlags {
  readonly simulateLive?: boolean;
}

export function defineServeCommand(program: Command, run: CommandRunner): void {
  program
    .command('serve')
    .description(
      'run the ETL, the report and the alert on their schedules, with a run ledger, /healthz and a dashboard',
    )
    .option('--simulate-live', "keep appending the simulator's events every minute (for the demo warehouse)")
    .addHelpText(
      'after',
      `
Schedules (cron, in the configured timezone): schedule.etl (default 5 0 * * *), schedule.report
(0 11 * * *), schedule.alert (*/15 * * * *). A failed run is retried schedule.retries times
(default 2), schedule.retryDelay apart (1m); runs of one job never overlap. On start, the ETL fills
the days missing among the last schedule.catchupDays (7); the report is not re-sent for past days
and the alert looks at the latest window only. Every attempt is recorded: see 'vigil runs'.
GET /healthz on serve.host:serve.port (127.0.0.1:8787) reports the last run of each job. The
dashboard is on the same address: / is the overview of every metric's state; its JSON API is under
/api. Any address but loopback needs serve.token. Set dashboard.publicUrl to where people reach
the dashboard, so the links in alerts open on their phones.
Ctrl-C (or SIGTERM) stops: no new runs, the one under way finishes; a second signal exits at once.
With the embedded warehouse, other vigil commands cannot open it while serve runs.`,
    )
    .action(run(() => import('../actions/serve.js')));
}
