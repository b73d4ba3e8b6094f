import type { SparkPoint } from '../api-types.js';
import { svg } from './dom.js';

const WIDTH = 200;
const HEIGHT = 40;
const DAY_MINUTES = 24 * 60;

/** Today's line over last week's (faint), on one scale across the whole day. */
export function sparkline(today: readonly SparkPoint[], lastWeek: readonly SparkPoint[], label: string): SVGElement {
  const values = [...today, ...lastWeek].flatMap((p) => (p.value === null ? [] : [p.value]));
  const top = Math.max(...values, 0);
  const bottom = Math.min(...values, top);
  const span = top - bottom || 1;
  const path = (points: readonly SparkPoint[]) => {
    let d = '';
    let pen = false;
    for (const p of points) {
      if (p.value === null) {
        pen = false;
        continue;
      }
      const x = ((p.minute / DAY_MINUTES) * WIDTH).toFixed(1);
      const y = (HEIGHT - 2 - ((p.value - bottom) / span) * (HEIGHT - 4)).toFixed(1);
      d += `${pen ? 'L' : 'M'}${x} ${y}`;
      pen = true;
    }
    return d;
  };
  return svg(
    'svg',
    {
      class: 'spark',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': label,
    },
    svg('path', { class: 'spark-week', d: path(lastWeek) }),
    svg('path', { class: 'spark-today', d: path(today) }),
  );
}
