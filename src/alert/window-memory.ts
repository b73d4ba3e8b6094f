import type { CountedWindow } from '../windows/window-counts.js';

/**
 * The windows a long-running process (`vigil serve`) has counted or read, so that its next run
 * reads neither them back from the window cache nor writes them there every time. One memory
 * serves one set of sources and slices; another set starts it afresh.
 */
export class WindowMemory {
  #scope = '';
  /** Every row of a window, by the window's start (ms). */
  readonly #windows = new Map<number, readonly CountedWindow[]>();
  /** Windows whose rows the window cache holds as they are here. */
  readonly #saved = new Set<number>();

  /** The rows of every window in [from, to), or undefined if any of them is not remembered. */
  recall(scope: string, from: number, to: number, step: number): CountedWindow[] | undefined {
    if (scope !== this.#scope) return undefined;
    const rows: CountedWindow[] = [];
    for (let start = from; start < to; start += step) {
      const window = this.#windows.get(start);
      if (!window) return undefined;
      rows.push(...window);
    }
    return rows;
  }

  /**
   * Keeps the rows of each window they cover (replacing what was known of it) and forgets
   * windows before `from`. `saved`: the rows are those of the window cache.
   */
  remember(scope: string, from: number, rows: readonly CountedWindow[], saved: boolean): void {
    if (scope !== this.#scope) {
      this.#scope = scope;
      this.clear();
    }
    const byStart = new Map<number, CountedWindow[]>();
    for (const row of rows) byStart.set(row.start, [...(byStart.get(row.start) ?? []), row]);
    for (const [start, windowRows] of byStart) {
      this.#windows.set(start, windowRows);
      if (saved) this.#saved.add(start);
      else this.#saved.delete(start);
    }
    for (const start of this.#windows.keys()) {
      if (start >= from) continue;
      this.#windows.delete(start);
      this.#saved.delete(start);
    }
  }

  /** Forgets everything, e.g. when the events it counted were replaced. */
  clear(): void {
    this.#windows.clear();
    this.#saved.clear();
  }

  /** Rows of the remembered windows before `before` that the window cache lacks. */
  unsaved(before: number): CountedWindow[] {
    return [...this.#windows]
      .filter(([start]) => start < before && !this.#saved.has(start))
      .flatMap(([, rows]) => rows);
  }

  markSaved(rows: readonly CountedWindow[]): void {
    for (const row of rows) this.#saved.add(row.start);
  }
}
