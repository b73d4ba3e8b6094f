/** The jobs the service schedules and the ledger records. */
export const JOBS = ['etl', 'report', 'alert'] as const;
export type JobName = (typeof JOBS)[number];

export function isJobName(text: string): text is JobName {
  return (JOBS as readonly string[]).includes(text);
}
