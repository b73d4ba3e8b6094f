import { settingsFrom, type Settings } from '../../src/app/settings.js';
import { configSchema } from '../../src/config/schema.js';

/** Every part's settings from a configuration written as in vigil.yaml, as the app makes them. */
export function settingsFor(config: Record<string, unknown> = {}): Settings {
  return settingsFrom(configSchema.parse(config));
}

/** The settings of a world whose source tables live in `database`, with vigil's own tables in `state`. */
export function worldSettings(database: string, state: string, config: Record<string, unknown> = {}): Settings {
  return settingsFor({
    sources: { feed: `${database}.feed_actions`, messages: `${database}.message_actions` },
    etl: { target: `${state}.slices` },
    database: state,
    ...config,
  });
}
