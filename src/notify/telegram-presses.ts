import { Bot, InputFile, type Context } from 'grammy';
import { recordAcknowledgement } from '../alert/acknowledge.js';
import type { Logger } from '../log/logger.js';
import { newSilenceId, SilenceStore } from '../silence/silences.js';
import type { VigilTables } from '../tables/vigil-tables.js';
import { addDays, dayOf, formatLocalTime, fromSqlDateTime, parseIsoTime } from '../time/time.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Notification } from './notifier.js';
import { visibleLength } from './telegram-html.js';
import { BUTTON_ACTIONS, type ButtonAction, type TelegramSettings } from './telegram-notifier.js';

export interface PressContext {
  readonly warehouse: Warehouse;
  readonly tables: VigilTables;
  readonly timezone: string;
  readonly allowedUsers: readonly number[] | undefined;
  readonly now: () => Date;
  /** The answers to the bot's commands in the chat, as Telegram HTML (and the report as a notification). */
  readonly commands?: BotCommands;
}

export interface BotCommands {
  /** /status: open incidents and silences. */
  status(): Promise<string>;
  /** /silences: the silences in force and to come. */
  silences(): Promise<string>;
  /** /report: yesterday's report. */
  report(): Promise<Notification>;
}

/** Who pressed, as Telegram says. */
export interface Presser {
  readonly id: number;
  readonly username?: string | undefined;
  readonly first_name: string;
}

/** What to answer the press with, and the line to add to the message (none when nothing changed). */
export interface PressOutcome {
  readonly answer: string;
  readonly note?: string;
}

const MUTE_HOURS = 1;
/** "Mute until tomorrow" ends at this time of the next day, on the configured zone's clock. */
const TOMORROW = '09:00';

/**
 * A press of an alert's button: "Acknowledge" records an acknowledgement of every subject of the
 * message (no repeats until each resolves); "Mute 1h" and "Mute until tomorrow 09:00" add a
 * silence for each. Only `allowedUsers` may press, when set.
 */
export async function handlePress(context: PressContext, data: string, from: Presser): Promise<PressOutcome> {
  const [action = '', ...rest] = data.split(':');
  const key = rest.join(':');
  if (!(action in BUTTON_ACTIONS) || key === '') return { answer: 'This button is not one of vigil’s.' };
  if (context.allowedUsers && !context.allowedUsers.includes(from.id)) {
    return { answer: 'Sorry, you may not act on vigil’s alerts here (notify.telegram.allowedUsers).' };
  }
  const subjects = await context.warehouse.query<{ subject: string; slice: string; window: string }>(
    `SELECT subject, slice, toString(window_start) AS window FROM ${context.tables.notifications.sql}
     WHERE entry = 'decided' AND message = {message:String}`,
    { params: { message: `alert-${key}` } },
  );
  if (subjects.length === 0) return { answer: 'vigil has no record of this alert.' };
  const now = context.now();
  const who = from.username ? `@${from.username}` : from.first_name;
  const at = formatLocalTime(now, context.timezone).split(' ')[1] ?? '';
  if ((action as ButtonAction) === 'a') {
    const acknowledged = subjects.map((s) => ({
      subject: s.subject,
      slice: s.slice,
      window: fromSqlDateTime(s.window),
    }));
    await recordAcknowledgement(
      context.warehouse,
      context.tables,
      acknowledged,
      `acknowledged by ${who} (Telegram user ${from.id})`,
      now,
    );
    return { answer: 'Acknowledged: no repeats until it is resolved.', note: `✔ acknowledged by ${who} at ${at}` };
  }
  const until =
    (action as ButtonAction) === 'm'
      ? now.getTime() + MUTE_HOURS * 3_600_000
      : (parseIsoTime(`${addDays(dayOf(now, context.timezone), 1)}T${TOMORROW}`, context.timezone)?.getTime() ??
        now.getTime() + 24 * 3_600_000);
  const store = new SilenceStore(context.warehouse, context.tables);
  for (const s of subjects) {
    await store.add({
      id: newSilenceId(),
      metric: s.subject,
      slice: s.slice,
      startsAt: now.getTime(),
      endsAt: until,
      createdBy: who,
      createdAt: now.getTime(),
      comment: `from Telegram: ${BUTTON_ACTIONS[action as ButtonAction]}`,
    });
  }
  const end = formatLocalTime(new Date(until), context.timezone);
  return { answer: `Muted until ${end}.`, note: `🔕 muted by ${who} at ${at}, until ${end}` };
}

/**
 * Receives the presses of alert buttons in `vigil serve`, by long polling (no public address
 * needed), and answers each: the presser sees the outcome, the message gains a line saying who
 * did what, and loses its buttons.
 */
export function startTelegramPresses(
  settings: TelegramSettings,
  context: PressContext,
  logger: Logger,
): { stop: () => Promise<void> } {
  const bot = new Bot(settings.token, { client: { apiRoot: settings.apiRoot } });
  bot.on('callback_query:data', async (ctx: Context) => {
    const query = ctx.callbackQuery;
    if (!query?.data) return;
    const outcome = await handlePress(context, query.data, query.from);
    await ctx.answerCallbackQuery({ text: outcome.answer });
    const message = query.message;
    if (outcome.note === undefined || !message) return;
    logger.info(`telegram: ${outcome.note}`);
    // The message keeps its own formatting: the note is appended after its entities.
    if ('caption' in message && message.caption !== undefined) {
      await ctx.editMessageCaption({
        caption: `${message.caption}\n${outcome.note}`,
        ...(message.caption_entities ? { caption_entities: message.caption_entities } : {}),
      });
    } else if ('text' in message && message.text !== undefined) {
      await ctx.editMessageText(`${message.text}\n${outcome.note}`, {
        ...(message.entities ? { entities: message.entities } : {}),
      });
    }
  });
  const { commands } = context;
  if (commands) {
    // Commands are answered only in the configured chat.
    const inChat = bot.filter((ctx) => String(ctx.chat?.id) === settings.chatId);
    inChat.command('status', async (ctx) => ctx.reply(await commands.status(), { parse_mode: 'HTML' }));
    inChat.command('silences', async (ctx) => ctx.reply(await commands.silences(), { parse_mode: 'HTML' }));
    inChat.command('report', async (ctx) => {
      const report = await commands.report();
      if (report.image && visibleLength(report.text) <= 1024) {
        await ctx.replyWithPhoto(new InputFile(report.image.png, report.image.filename), {
          caption: report.text,
          parse_mode: 'HTML',
        });
      } else await ctx.reply(report.text, { parse_mode: 'HTML' });
    });
  }
  bot.catch((error) =>
    logger.warn(`telegram: a button press failed: ${error.message.replaceAll(settings.token, '***')}`),
  );
  const running = bot
    .start({ allowed_updates: commands ? ['callback_query', 'message'] : ['callback_query'] })
    .catch((error: unknown) => {
      logger.warn(`telegram: not receiving button presses (${String(error).replaceAll(settings.token, '***')})`);
    });
  return {
    stop: async () => {
      if (bot.isRunning()) await bot.stop();
      await running;
    },
  };
}
