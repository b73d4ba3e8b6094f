/** The simulated product: who its users are and how much they do. Same options, same events. */
export interface Population {
  readonly seed: number;
  /** Users who act (feed and/or messenger). A further twentieth only ever receive messages. */
  readonly users: number;
  /** Feed events (views + likes) on an average day; messages add about 5 % of that. */
  readonly eventsPerDay: number;
}

export const DEFAULT_POPULATION: Population = { seed: 1, users: 20_000, eventsPerDay: 300_000 };
