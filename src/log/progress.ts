/** A progress line for long work, drawn only on a terminal (logs and CI get the summary alone). */
export interface Progress {
  /** `done` of `total` steps finished; `detail` names the step under way. */
  update(done: number, total: number, detail: string): void;
  /** Clears the line. */
  finish(): void;
}

export function createProgress(output: { isTTY: boolean; write: (text: string) => void }, label: string): Progress {
  if (!output.isTTY) return { update() {}, finish() {} };
  const width = 24;
  let started: number | undefined;
  return {
    update(done, total, detail) {
      started ??= Date.now();
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const elapsed = ((Date.now() - started) / 1000).toFixed(0);
      output.write(
        `\r\x1b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
          `${done}/${total} ${detail} (${elapsed} s)`,
      );
    },
    finish() {
      if (started !== undefined) output.write('\r\x1b[2K');
    },
  };
}
