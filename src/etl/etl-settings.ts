import type { Config } from '../config/schema.js';
import { tableName } from '../warehouse/identifiers.js';
import { resolveDimensions } from './dimensions.js';
import type { EtlSettings } from './etl-job.js';

/** The ETL's settings from the configuration. */
export function etlSettingsFrom(config: Config): EtlSettings {
  return {
    sources: { feed: tableName(config.sources.feed), messages: tableName(config.sources.messages), receiverColumn: config.sources.receiverColumn },
    target: tableName(config.etl.target),
    lookback: config.etl.lookback,
    dimensions: resolveDimensions(config.etl.dimensions),
    timezone: config.timezone,
  };
}
