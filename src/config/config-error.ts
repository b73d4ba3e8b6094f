import { VigilError } from '../errors/vigil-error.js';

/** One thing wrong with the configuration, located by its key path. */
export interface ConfigProblem {
  /** Dotted key path as written in the file, e.g. `warehouse.server.url`; empty for the file itself. */
  readonly path: string;
  readonly message: string;
}

/** The configuration cannot be used. Always a user's mistake: the CLI exits with code 2. */
export class ConfigError extends VigilError {
  override readonly name = 'ConfigError';
  readonly blame = 'usage';

  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      [
        `invalid configuration (${source}): ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
        ...problems.map((p) => `  - ${p.path === '' ? '' : `${p.path}: `}${p.message}`),
      ].join('\n'),
    );
  }
}
