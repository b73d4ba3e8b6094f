import type { Config } from '../config/schema.js';
import { tableName } from '../warehouse/identifiers.js';
import { resolveDimensions } from './dimensions.js';
import type { EtlSettings } from './etl-job.js';
import type { EtlSources } from './etl-queries.js';

/** The source tables every job reads, from the configuration. */
export function sourcesFrom(config: Config): EtlSources {
  return { feed: tableName(config.sources.feed), messages: tableName(config.sources.messages), receiverColumn: config.sources.receiverColumn };
}

/** The ETL's settings from the configuration. */
export function etlSettingsFrom(config: Config): EtlSettings {
  return {
    sources: sourcesFrom(config),
    target: tableName(config.etl.target),
    lookback: config.etl.lookback,
    dimensions: resolveDimensions(config.etl.dimensions),
    timezone: config.timezone,
  };
}
