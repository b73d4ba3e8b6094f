import { getJson, pageQuery, showError } from './api.js';
import { byId, fill, h } from './dom.js';

interface SlicesResponse {
  readonly day: string;
  readonly dimension: string;
  readonly dimensions: readonly string[];
  readonly rows: readonly Record<string, string | number>[];
}

const COUNTS = ['views', 'likes', 'messages_sent', 'messages_received', 'users_sent', 'users_received'] as const;

/** The ETL's rows of a day and dimension; the day and the dimension can be changed in place. */
export function startSlicesPage(yesterday: string): void {
  const query = pageQuery();
  const day = byId('day', HTMLInputElement);
  const dimension = byId('dimension', HTMLSelectElement);
  day.value = query.get('day') ?? yesterday;
  const load = () =>
    getJson<SlicesResponse>('/api/slices', {
      day: day.value,
      dimension: dimension.value || query.get('dimension') || 'os',
    })
      .then((data) => {
        if (dimension.options.length === 0) {
          fill(dimension, ...data.dimensions.map((d) => h('option', { value: d }, d)));
          dimension.value = data.dimension;
        }
        fill(byId('shown'), `${data.day} by ${data.dimension}`);
        fill(
          byId('slices-body'),
          ...(data.rows.length === 0
            ? [
                h(
                  'tr',
                  {},
                  h('td', { colspan: '7', class: 'muted' }, 'No rows for this day: the ETL has not computed it.'),
                ),
              ]
            : data.rows.map((r) =>
                h(
                  'tr',
                  {},
                  h('td', {}, String(r.dimension_value)),
                  ...COUNTS.map((c) => h('td', {}, Number(r[c]).toLocaleString('en-US'))),
                ),
              )),
        );
      })
      .catch(showError);
  day.addEventListener('change', () => void load());
  dimension.addEventListener('change', () => void load());
  void load();
}
