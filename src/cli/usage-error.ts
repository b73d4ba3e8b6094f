/** The user asked for something that cannot be done as asked (bad flag value, bad date): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The job ran and failed in a way the user can act on (the message says how): exit 1, no stack. */
export class JobFailure extends Error {
  override readonly name = 'JobFailure';
}
