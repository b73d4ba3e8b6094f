import type { Command } from 'commander';
import { discardDigests } from '../../etl/etl-job.js';
import { runEtlDays } from '../../etl/etl-range.js';
import { createDelivery } from '../../notify/create-delivery.js';
import { OutboxNotifier } from '../../notify/outbox-notifier.js';
import { reportSettingsFrom, runReport } from '../../report/report-job.js';
import { etlSettingsFrom } from '../../etl/etl-settings.js';
import { createProgress, type Progress } from '../../log/progress.js';
import { simulateFresh } from '../../simulate/simulate.js';
import { DEFAULT_POPULATION } from '../../simulate/simulation-options.js';
import { alertSettingsFrom, discardAlertState, evaluatedWindow, runAlert } from '../../alert/alert-job.js';
import { metricName } from '../../alert/alert-message.js';
import { addDays, dayOf, daysBetween, floorToMinutes, formatLocalTime, startOfDay, yesterday } from '../../time/time.js';
import type { CliContext, CommandRunner } from '../cli-context.js';
import { JobFailure } from '../usage-error.js';

const DEMO_DAYS = 14;
const ETL_DAYS = 7;
/** A drop the alert job will see: views fall to 30 % from the start of the last complete window. */
const DEMO_DROP = 0.3;

export function registerDemoCommand(program: Command, run: CommandRunner): void {
  program
    .command('demo')
    .description('try vigil with no server: simulate the product into the embedded warehouse, then run the jobs on it')
    .addHelpText(
      'after',
      `
Simulates ${DEMO_DAYS} days of events up to now (with views dropping to 30 % in the last window),
computes the slice metrics of the last ${ETL_DAYS} days, sends yesterday's report (to the outbox,
or Telegram if configured), checks the last 15-minute window for anomalies, and shows where
everything is.
Run it again at any time: it starts over with fresh data.`,
    )
    .action(run((ctx) => demo(ctx)));
}

async function demo(ctx: CliContext): Promise<void> {
  const { config } = ctx.config();
  const timezone = config.timezone;
  const now = floorToMinutes(ctx.io.now(), 1);
  const settings = etlSettingsFrom(config);
  const warehouse = ctx.openWarehouse();
  const say = (text: string) => ctx.logger.info(text);

  say(`vigil demo: ${warehouse.kind} warehouse at ${warehouse.location}, timezone ${timezone}`);
  let progress: Progress | undefined;
  const from = startOfDay(addDays(dayOf(now, timezone), -(DEMO_DAYS - 1)), timezone);
  const simulated = await simulateFresh(
    warehouse,
    settings.sources,
    { population: DEFAULT_POPULATION, from, until: now, anomalies: [{ metric: 'views', factor: DEMO_DROP, from: evaluatedWindow(now, 0), to: now }], timezone },
    ({ day, index, total }) => {
      progress ??= createProgress({ isTTY: ctx.io.isTTY, write: ctx.io.stderr }, 'simulating', total);
      progress.update(index, day);
    },
  ).finally(() => progress?.finish());
  say(
    `1. simulated ${simulated.feedRows.toLocaleString('en-US')} feed actions and ${simulated.messageRows.toLocaleString('en-US')} messages ` +
      `from ${formatLocalTime(simulated.from, timezone)} to ${formatLocalTime(simulated.until, timezone)} in ${simulated.seconds.toFixed(1)} s`,
  );

  await discardDigests(warehouse, settings.target);
  await discardAlertState(warehouse, config.database);
  const lastDay = yesterday(now, timezone);
  const days = daysBetween(addDays(lastDay, -(ETL_DAYS - 1)), lastDay);
  let etlProgress: Progress | undefined;
  const outcomes = await runEtlDays({ warehouse, logger: ctx.logger }, settings, days, (day, index) => {
    etlProgress ??= createProgress({ isTTY: ctx.io.isTTY, write: ctx.io.stderr }, 'etl', days.length);
    etlProgress.update(index, day);
  }).finally(() => etlProgress?.finish());
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) throw new JobFailure(`the ETL failed for ${failed.map((o) => o.day).join(', ')}`);
  const seconds = outcomes.reduce((sum, o) => sum + (o.ok ? o.seconds : 0), 0);
  say(`2. computed the daily slices of ${days[0]} … ${lastDay} into ${config.etl.target} in ${seconds.toFixed(1)} s`);

  const delivery = createDelivery(config, { logger: ctx.logger });
  const report = await runReport({ warehouse, delivery, logger: ctx.logger }, reportSettingsFrom(config), lastDay);
  const outbox = delivery.notifier instanceof OutboxNotifier ? delivery.notifier.directory : undefined;
  const destination = outbox === undefined ? 'Telegram' : `${outbox}/report-${lastDay}.txt and .png`;
  say(`3. sent the daily report for ${lastDay} to ${destination}${report.imageError === undefined ? '' : ` (without its picture: ${report.imageError})`}`);

  const alert = await runAlert({ warehouse, delivery, logger: ctx.logger }, alertSettingsFrom(config), now);
  const fired = alert.outcomes.filter((o) => o.notification === 'started');
  say(
    `4. checked the window ${formatLocalTime(alert.window, timezone)} (+15 min): ` +
      (fired.length === 0 ? 'no anomaly' : `anomalies in ${fired.map((o) => metricName(o.metric, 'en')).join(', ')}, notified to ${outbox ?? 'Telegram'}`),
  );

  const rows = await warehouse.query<{ dimension: string; dimension_value: string; views: number; likes: number; messages_sent: number; messages_received: number; users_sent: number; users_received: number }>(
    `SELECT dimension, dimension_value, views, likes, messages_sent, messages_received, users_sent, users_received
     FROM ${settings.target.sql} WHERE event_date = {day:Date} AND dimension IN ('os', 'gender') ORDER BY dimension DESC, dimension_value`,
    { params: { day: lastDay } },
  );
  const n = (value: number) => value.toLocaleString('en-US').padStart(11);
  const pictures = outbox === undefined ? [] : [`${outbox}/report-${lastDay}.png`, ...fired.map((o) => `${outbox}/alert-${o.key ?? ''}.png`)];
  ctx.print(
    [
      '',
      'The report:',
      ...plainText(report.notification.text).split('\n').map((line) => `  ${line}`),
      '',
      ...(pictures.length > 0 ? ['Pictures:', ...pictures.map((path) => `  ${path}`), ''] : []),
      `Slice metrics of ${lastDay} (os and gender; age and any extra dimensions are there too):`,
      `  ${'dimension'.padEnd(18)}${'views'.padStart(11)}${'likes'.padStart(11)}${'msgs sent'.padStart(11)}${'msgs recv'.padStart(11)}${'users sent'.padStart(11)}${'users recv'.padStart(11)}`,
      ...rows.map(
        (r) => `  ${`${r.dimension}=${r.dimension_value}`.padEnd(18)}${n(r.views)}${n(r.likes)}${n(r.messages_sent)}${n(r.messages_received)}${n(r.users_sent)}${n(r.users_received)}`,
      ),
      '',
      'Next, try:',
      '  npx vigil status                  # the tables and their sizes',
      `  npx vigil etl --date ${lastDay}    # recompute a day: replaced atomically, never doubled`,
      '  npx vigil simulate --append       # extend the data up to now',
      `  npx vigil report --date ${lastDay} --dry-run   # the report again, into the outbox`,
      '  npx vigil alert --dry-run         # check the latest window again',
      '  npx vigil simulate --days 7 --anomaly metric=messages,factor=0,last=30m',
      '                                    # a week with a messenger outage in the last half hour',
      '  npx vigil --help                  # everything else',
    ].join('\n'),
  );
}

/** Telegram HTML as a terminal shows it: tags dropped, entities restored. */
function plainText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}
