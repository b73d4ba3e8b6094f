/** SPEC §6: 0 success, 1 the job failed, 2 bad usage or config. */
export const EXIT_OK = 0;
export const EXIT_JOB_FAILED = 1;
export const EXIT_USAGE = 2;
