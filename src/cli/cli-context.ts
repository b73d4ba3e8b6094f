import type { Command } from 'commander';
import type { Coordination } from '../app/coordination.js';
import { settingsFrom, type Settings } from '../app/settings.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { createRedactor } from '../config/redact.js';
import { createLogger, type Logger, type LogLevel } from '../log/logger.js';
import { createProgress, type Progress } from '../log/progress.js';
import type { Delivery } from '../notify/dispatch.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** What the process gives the CLI; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stderr is a terminal (progress bars are drawn only then). */
  readonly isTTY: boolean;
  /** The wall clock; jobs never read it themselves, only the CLI does, to default their date. */
  readonly now: () => Date;
  /** Resolves when the user asks a long-running command to stop (Ctrl-C, SIGTERM). */
  readonly stopSignal: () => Promise<string>;
}

export interface GlobalOptions {
  readonly config?: string;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

/**
 * Everything a command needs, created lazily so `vigil --help` touches neither the config nor
 * the warehouse: the composition root of one CLI invocation.
 */
export class CliContext {
  private loaded: LoadedConfig | undefined;
  private derived: Settings | undefined;
  private redactor: (text: string) => string = (text) => text;
  private warehouse: Warehouse | undefined;
  private opened: Coordination | undefined;
  private builtInOnly = false;
  readonly logger: Logger;

  constructor(
    readonly io: CliIo,
    private readonly options: GlobalOptions,
  ) {
    const level: LogLevel = options.quiet ? 'warn' : options.verbose ? 'debug' : 'info';
    this.logger = createLogger({ level, redact: (text) => this.redactor(text), write: io.stderr });
  }

  /**
   * From now on, the built-in defaults only, whatever --config, VIGIL_CONFIG or ./vigil.yaml say:
   * for the demo, which must never touch a configured server or chat.
   */
  useBuiltInDefaults(): void {
    if (this.loaded !== undefined) throw new Error('useBuiltInDefaults comes before the configuration is read');
    this.builtInOnly = true;
  }

  /** Loads the configuration once; throws ConfigError. */
  config(): LoadedConfig {
    if (this.loaded === undefined) {
      this.loaded = loadConfig({
        file: this.options.config,
        env: this.io.env,
        cwd: this.io.cwd,
        builtInOnly: this.builtInOnly,
      });
      this.redactor = createRedactor(this.loaded.secrets);
      for (const warning of this.loaded.warnings) this.logger.warn(warning);
      this.logger.debug(`config: ${this.loaded.source}`);
    }
    return this.loaded;
  }

  /** Every part's settings, from the configuration. */
  settings(): Settings {
    this.derived ??= settingsFrom(this.config().config);
    return this.derived;
  }

  /** serve.coordination for this process, opened once (claims of runs and sends with Keeper). */
  async coordination(): Promise<Coordination> {
    if (this.opened === undefined) {
      const { openCoordination } = await import('../app/coordination.js');
      this.opened = await openCoordination(this.settings(), await this.openWarehouse(), this.logger);
    }
    return this.opened;
  }

  /**
   * Delivery through the configured destinations, with the journal that keeps what they did not
   * take. Notifications an older vigil kept as files are moved into the journal first.
   */
  async delivery(): Promise<Delivery> {
    const { createDelivery } = await import('../app/create-delivery.js');
    const { importKeptFiles } = await import('../notify/legacy-outbox.js');
    const { NotificationJournal } = await import('../notify/journal.js');
    const { ensureVigilTables, importLegacyNotifications } = await import('../tables/vigil-tables.js');
    const settings = this.settings();
    const warehouse = await this.openWarehouse();
    const delivery = createDelivery(settings.delivery, { logger: this.logger, now: this.io.now });
    await ensureVigilTables(warehouse, settings.tables);
    await importLegacyNotifications(warehouse, settings.tables);
    const journal = new NotificationJournal(warehouse, settings.tables);
    const destinations = [...delivery.destinations.keys()];
    await importKeptFiles(settings.delivery.outbox, journal, destinations, { logger: this.logger, now: this.io.now() });
    const { sends } = await this.coordination();
    return sends === undefined ? delivery : { ...delivery, claims: sends };
  }

  /** Opens the configured warehouse once (loading its adapter only now); closed by {@link close}. */
  async openWarehouse(): Promise<Warehouse> {
    if (this.warehouse === undefined) {
      const { openWarehouse } = await import('../app/open-warehouse.js');
      this.warehouse = await openWarehouse(this.config().config.warehouse, {
        onRetry: (error, attempt, delayMs) =>
          this.logger.warn(`warehouse: ${error.message}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`),
      });
    }
    return this.warehouse;
  }

  /** A progress line on stderr, drawn only on a terminal. */
  progress(label: string): Progress {
    return createProgress({ isTTY: this.io.isTTY, write: this.io.stderr }, label);
  }

  /** Replaces every known secret in a text. */
  redact(text: string): string {
    return this.redactor(text);
  }

  /** Writes a result to standard output (redacted, like everything else). */
  print(text: string): void {
    this.io.stdout(this.redactor(text.endsWith('\n') ? text : `${text}\n`));
  }

  async close(): Promise<void> {
    const warehouse = this.warehouse;
    this.warehouse = undefined;
    await warehouse?.close();
  }
}

/** A command's body: the context, its parsed flags (typed by the command's definition) and the commander command. */
export type CommandAction = (ctx: CliContext, flags: never, command: Command) => Promise<void>;
/** Where a command's body is, loaded only when the command runs. */
export type ActionModule = () => Promise<{ readonly action: CommandAction }>;
/** Turns a command's body into a commander action with vigil's error handling and exit codes. */
export type CommandRunner = (load: ActionModule) => (...args: unknown[]) => Promise<void>;
