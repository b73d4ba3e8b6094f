/**
 * Whose a failure is, which decides the exit code (SPEC §6): `usage` — the request or the
 * configuration cannot be carried out as given (exit 2); `job` — the job ran and failed in a way
 * the user can act on (exit 1). Anything that is not a VigilError is a bug in vigil.
 */
export type Blame = 'usage' | 'job';

/** The root of vigil's own errors: one line that says what is wrong, and optionally what to do. */
export abstract class VigilError extends Error {
  abstract readonly blame: Blame;
  /** What to do about it, when the message alone does not say. */
  readonly hint: string | undefined;

  constructor(message: string, options?: { cause?: unknown; hint?: string | undefined }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options?.hint;
  }
}

/** The user asked for something that cannot be done as asked (a bad flag value, a bad date): exit 2. */
export class UsageError extends VigilError {
  override readonly name: string = 'UsageError';
  readonly blame = 'usage';
}

/** The job ran and failed in a way the user can act on (the message says how): exit 1, no stack. */
export class JobError extends VigilError {
  override readonly name: string = 'JobError';
  readonly blame = 'job';
}
