export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where vigil says what it is doing. Every line goes through the secret redactor. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly redact: (text: string) => string;
  readonly write: (line: string) => void;
  /** Prefix each line with an ISO timestamp (for the long-running service). @default false */
  readonly timestamps?: boolean;
  readonly now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const emit = (level: Exclude<LogLevel, 'silent'>, message: string): void => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const stamp = options.timestamps ? `${(options.now?.() ?? new Date()).toISOString()} ` : '';
    const tag = level === 'info' ? '' : `${level}: `;
    options.write(`${stamp}${tag}${options.redact(message)}\n`);
  };
  return {
    debug: (message) => emit('debug', message),
    info: (message) => emit('info', message),
    warn: (message) => emit('warn', message),
    error: (message) => emit('error', message),
  };
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
