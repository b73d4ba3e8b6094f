import { readAlertState } from '../alert/alert-inputs.js';
import type { Logger } from '../log/logger.js';
import { escapeHtml } from '../notify/telegram-html.js';
import type { BotCommands } from '../notify/telegram-presses.js';
import { runReport } from '../report/report-job.js';
import { silencedSubject, SilenceStore, type Silence } from '../silence/silences.js';
import { formatLocalTime, yesterday } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Settings } from './settings.js';

/** The bot's commands in the chat: /status, /silences and /report, answered from the warehouse. */
export function telegramCommands(
  settings: Settings,
  deps: { warehouse: Warehouse; logger: Logger; now: () => Date },
): BotCommands {
  const { warehouse } = deps;
  const time = (ms: number) => formatLocalTime(new Date(ms), settings.timezone);
  const silenceLines = (silences: readonly Silence[]) =>
    silences.map((s) => {
      return escapeHtml(`🔕 ${silencedSubject(s)} until ${time(s.endsAt)} (${s.id}, by ${s.createdBy})`);
    });
  const silences = () => new SilenceStore(warehouse, settings.tables).current(deps.now().getTime());
  return {
    async status() {
      const state = await readAlertState(warehouse, settings.tables);
      const open = [...state].filter(([, last]) => last.kind !== 'resolved');
      const lines = open.map(([key, last]) => {
        const [subject = '', slice = ''] = key.split('|');
        const name = `${subject}${slice === '' ? '' : `, ${slice}`}`;
        const acked = last.acknowledged ? ', acknowledged' : '';
        return escapeHtml(`🔴 ${name} since ${time(last.started)}${acked}`);
      });
      const quiet = silenceLines(await silences());
      return [
        `<b>${open.length === 0 ? 'No open incidents' : `${open.length} open incident(s)`}</b>`,
        ...lines,
        ...(quiet.length > 0 ? ['', ...quiet] : []),
      ].join('\n');
    },
    async silences() {
      const lines = silenceLines(await silences());
      return lines.length === 0 ? 'No silences in force or to come.' : lines.join('\n');
    },
    async report() {
      const day = yesterday(deps.now(), settings.timezone);
      const result = await runReport({ warehouse, delivery: undefined, logger: deps.logger }, settings.report, {
        day,
        dryRun: true,
        force: false,
      });
      return result.notification;
    },
  };
}
