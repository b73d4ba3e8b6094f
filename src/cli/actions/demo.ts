import { runAlert } from '../../alert/alert-job.js';
import { JobError } from '../../errors/vigil-error.js';
import { discardDigests } from '../../etl/etl-job.js';
import { runEtlDays } from '../../etl/etl-range.js';
import { metricName } from '../../metrics/metrics.js';
import { runReport } from '../../report/report-job.js';
import { DEFAULT_POPULATION } from '../../simulate/population.js';
import { simulateFresh } from '../../simulate/simulate.js';
import { discardAlertState } from '../../tables/vigil-tables.js';
import {
  addDays,
  dayOf,
  daysBetween,
  floorToMinutes,
  formatLocalTime,
  startOfDay,
  yesterday,
} from '../../time/time.js';
import { evaluatedWindow } from '../../windows/windows.js';
import type { CliContext } from '../cli-context.js';
import { DEMO_DAYS, DEMO_ETL_DAYS } from '../commands/demo.js';
import { plainText } from '../../notify/telegram-html.js';

/** A drop the alert job will see: views fall to 30 % from the start of the last complete window. */
const DEMO_DROP = 0.3;

interface SliceRow {
  dimension: string;
  dimension_value: string;
  views: number;
  likes: number;
  messages_sent: number;
  messages_received: number;
  users_sent: number;
  users_received: number;
}

export async function action(ctx: CliContext): Promise<void> {
  // The demo replaces tables and sends notifications: never on a configured server or chat.
  ctx.useBuiltInDefaults();
  const settings = ctx.settings();
  const { timezone, etl } = settings;
  const now = floorToMinutes(ctx.io.now(), 1);
  const say = (text: string) => ctx.logger.info(text);
  say(
    `vigil demo: on its own embedded warehouse (${ctx.config().config.warehouse.embedded?.path ?? ''}) and outbox ` +
      `(${settings.delivery.outbox}), timezone ${timezone}; vigil.yaml and VIGIL_CONFIG are not used`,
  );
  const warehouse = await ctx.openWarehouse();
  const simulating = ctx.progress('simulating');
  const from = startOfDay(addDays(dayOf(now, timezone), -(DEMO_DAYS - 1)), timezone);
  const drop = { metric: 'views' as const, factor: DEMO_DROP, from: evaluatedWindow(now, 0), to: now };
  const simulated = await simulateFresh(
    warehouse,
    etl.sources,
    { population: DEFAULT_POPULATION, from, until: now, anomalies: [drop], timezone },
    ({ day, index, total }) => simulating.update(index, total, day),
  ).finally(() => simulating.finish());
  const count = (n: number) => n.toLocaleString('en-US');
  say(
    `1. simulated ${count(simulated.feedRows)} feed actions and ${count(simulated.messageRows)} messages ` +
      `from ${formatLocalTime(simulated.from, timezone)} to ${formatLocalTime(simulated.until, timezone)} ` +
      `in ${simulated.seconds.toFixed(1)} s`,
  );

  await discardDigests(warehouse, etl.target);
  await discardAlertState(warehouse, settings.tables);
  const lastDay = yesterday(now, timezone);
  const days = daysBetween(addDays(lastDay, -(DEMO_ETL_DAYS - 1)), lastDay);
  const computing = ctx.progress('etl');
  const outcomes = await runEtlDays({ warehouse, logger: ctx.logger }, etl, days, {
    onDay: (day, index) => computing.update(index, days.length, day),
  }).finally(() => computing.finish());
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) throw new JobError(`the ETL failed for ${failed.map((o) => o.day).join(', ')}`);
  const seconds = outcomes.reduce((sum, o) => sum + (o.ok ? o.seconds : 0), 0);
  say(
    `2. computed the daily slices of ${days[0] ?? lastDay} … ${lastDay} ` +
      `into ${etl.target.database}.${etl.target.table} in ${seconds.toFixed(1)} s`,
  );

  const delivery = await ctx.delivery();
  const outbox = settings.delivery.outbox;
  const report = await runReport({ warehouse, delivery, logger: ctx.logger }, settings.report, { day: lastDay });
  say(
    `3. sent the daily report for ${lastDay} to ${outbox}/report-${lastDay}.txt and .png` +
      (report.imageError === undefined ? '' : ` (without its picture: ${report.imageError})`),
  );

  const alert = await runAlert({ warehouse, delivery, logger: ctx.logger }, settings.alert, { at: now });
  const fired = alert.outcomes.filter((o) => o.notification === 'started');
  say(
    `4. checked the window ${formatLocalTime(alert.window, timezone)} (+15 min): ` +
      (fired.length === 0
        ? 'no anomaly'
        : `anomalies in ${fired.map((o) => metricName(o.metric, 'en')).join(', ')}, notified to ${outbox}`),
  );

  const rows = await warehouse.query<SliceRow>(
    `SELECT dimension, dimension_value, views, likes, messages_sent, messages_received, users_sent, users_received
     FROM ${etl.target.sql} WHERE event_date = {day:Date} AND dimension IN ('os', 'gender')
     ORDER BY dimension DESC, dimension_value`,
    { params: { day: lastDay } },
  );
  // A grouped message is one picture for all its metrics.
  const pictures = [
    ...new Set([`${outbox}/report-${lastDay}.png`, ...fired.map((o) => `${outbox}/alert-${o.key ?? ''}.png`)]),
  ];
  ctx.print(
    [
      '',
      'The report:',
      ...plainText(report.notification.text)
        .split('\n')
        .map((line) => `  ${line}`),
      '',
      ...(pictures.length > 0 ? ['Pictures:', ...pictures.map((path) => `  ${path}`), ''] : []),
      `Slice metrics of ${lastDay} (os and gender; age and any extra dimensions are there too):`,
      ...sliceTable(rows),
      '',
      'Next, try:',
      ...nextSteps(lastDay),
    ].join('\n'),
  );
}

/** Commands to try, each with its comment in one column (a long command puts it on the next line). */
function nextSteps(lastDay: string): string[] {
  const steps: [string, string][] = [
    ['npx vigil status', 'the tables and their sizes'],
    [`npx vigil etl --date ${lastDay}`, 'recompute a day: replaced atomically, never doubled'],
    ['npx vigil simulate --append', 'extend the data up to now'],
    [`npx vigil report --date ${lastDay} --dry-run`, 'the report again, printed; nothing sent'],
    ['npx vigil alert --dry-run', 'check the latest window again; nothing sent'],
    ['npx vigil series --metric views > views.csv', "the views' windows as CSV"],
    ['npx vigil backtest --input views.csv --notify', 'what the alert would have sent over them'],
    [
      'npx vigil simulate --days 7 --anomaly metric=messages,factor=0,last=30m',
      'a week with a messenger outage in the last half hour',
    ],
    ['npx vigil serve --simulate-live', 'the jobs on schedule; the dashboard on http://127.0.0.1:8787'],
    ['npx vigil --help', 'everything else'],
  ];
  const column = 34;
  return steps.flatMap(([command, comment]) =>
    command.length < column
      ? [`  ${command.padEnd(column)}# ${comment}`]
      : [`  ${command}`, `  ${' '.repeat(column)}# ${comment}`],
  );
}

function sliceTable(rows: readonly SliceRow[]): string[] {
  const columns = ['views', 'likes', 'msgs sent', 'msgs recv', 'users sent', 'users recv'];
  const n = (value: number) => value.toLocaleString('en-US').padStart(11);
  return [
    `  ${'dimension'.padEnd(18)}${columns.map((c) => c.padStart(11)).join('')}`,
    ...rows.map(
      (r) =>
        `  ${`${r.dimension}=${r.dimension_value}`.padEnd(18)}` +
        [r.views, r.likes, r.messages_sent, r.messages_received, r.users_sent, r.users_received].map(n).join(''),
    ),
  ];
}
