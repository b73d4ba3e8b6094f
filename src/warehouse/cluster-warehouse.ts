import { randomUUID } from 'node:crypto';
import { JobError } from '../errors/vigil-error.js';
import { quoteIdentifier, tableName, type TableName } from './identifiers.js';
import type { StatementOptions, Warehouse } from './warehouse.js';
import { WarehouseError } from './warehouse-error.js';

/**
 * warehouse.cluster: vigil on a sharded and replicated ClickHouse cluster. vigil's own tables
 * are replicated to every host and not sharded; the sources are read as given (their
 * Distributed tables).
 */
export interface ClusterSettings {
  readonly name: string;
  /** Keeper path of vigil's replicated tables; `{database}`, `{table}` are ClickHouse's macros. */
  readonly zooPath: string;
}

/** The cluster lacks something cluster mode needs. */
export class ClusterModeError extends JobError {
  override readonly name = 'ClusterModeError';
}

/** Staging tables live on the one host that runs the ETL's sequence: never ON CLUSTER. */
const STAGING = /_staging_/;
/**
 * `IN` and `JOIN` over Distributed sources read the right side once and send it to every shard
 * (GLOBAL), or each shard would see only its own part of the users.
 */
const GLOBAL_SUBQUERIES = { distributed_product_mode: 'global' } as const;

/**
 * The statements vigil makes, as cluster mode needs them (each rewrite is checked statement by
 * statement in tests):
 * - `CREATE DATABASE`, `CREATE TABLE … IF NOT EXISTS`, `CREATE VIEW`, `RENAME`, `DROP TABLE` of vigil's own
 *   tables run `ON CLUSTER`, MergeTree engines become their Replicated kind on one Keeper path
 *   (every host a replica), drops are `SYNC` (a re-created table finds its path free);
 * - a staging table is made on this host only, with an explicit engine: the target's own
 *   (without Replicated) and its keys, so `REPLACE PARTITION` accepts it;
 * - `REPLACE PARTITION` is never `ON CLUSTER`, and follows `SYSTEM SYNC REPLICA … LIGHTWEIGHT`,
 *   so this host has every part of the target first;
 * - every insert carries an `insert_deduplication_token`: a retry of it is deduplicated, two
 *   equal inserts are not;
 * - a `TIMEOUT_EXCEEDED` from distributed DDL is "unknown": the table is looked for, and only an
 *   absent one is an error.
 */
export function clusterWarehouse(inner: Warehouse, cluster: ClusterSettings): Warehouse {
  const onCluster = ` ON CLUSTER ${quoteIdentifier(cluster.name)}`;
  const withSettings = (options: StatementOptions | undefined, extra: Readonly<Record<string, string | number>>) => ({
    ...options,
    settings: { ...options?.settings, ...extra },
  });

  const run = async (sql: string, options?: StatementOptions) => {
    for (const statement of rewrite(sql, cluster, onCluster)) {
      if (statement.stagingOf) {
        await inner.command(await stagingDdl(inner, statement.sql, statement.stagingOf), options);
        continue;
      }
      // vigil ensures its tables on every run: a distributed DDL task each time would queue on
      // every host for nothing, where one read here says the object is there.
      if (statement.unlessPresent && (await present(inner, statement.unlessPresent))) continue;
      try {
        await inner.command(statement.sql, withSettings(options, GLOBAL_SUBQUERIES));
      } catch (error) {
        if (statement.creates && isTimeout(error) && (await present(inner, statement.creates))) continue;
        throw error;
      }
    }
  };

  return {
    ...inner,
    query: (sql, options) => inner.query(sql, withSettings(options, GLOBAL_SUBQUERIES)),
    command: run,
    insert: (table, rows, options) =>
      inner.insert(table, rows, {
        ...options,
        settings: { insert_deduplication_token: randomUUID(), ...options?.settings },
      }),
  };
}

interface Rewritten {
  readonly sql: string;
  /** The table a CREATE makes, to look for after a timeout. */
  readonly creates?: TableName;
  /** IF NOT EXISTS: the database (and table) whose presence makes the statement needless. */
  readonly unlessPresent?: { readonly database: string; readonly table?: string };
  /** For a staging table: the table whose structure and keys it takes. */
  readonly stagingOf?: TableName;
}

const NAME = '(`[^`]+`\\.`[^`]+`|[A-Za-z_][\\w]*\\.[A-Za-z_][\\w]*)';

/** One of vigil's statements as cluster mode runs it (one or more statements). */
export function rewrite(sql: string, cluster: ClusterSettings, onCluster: string): Rewritten[] {
  const text = sql.trim();
  const createTable = new RegExp(`^CREATE TABLE IF NOT EXISTS ${NAME}`).exec(text);
  if (createTable?.[1] && !STAGING.test(createTable[1])) {
    const name = createTable[1];
    return [
      {
        sql: replicated(text.replace(name, `${name}${onCluster}`), cluster),
        creates: parseName(name),
        unlessPresent: parseName(name),
      },
    ];
  }
  const stagingCopy = new RegExp(`^CREATE TABLE ${NAME} AS ${NAME}$`).exec(text);
  if (stagingCopy?.[1] && stagingCopy[2]) return [{ sql: text, stagingOf: parseName(stagingCopy[2]) }];
  const createView = new RegExp(`^CREATE (OR REPLACE )?VIEW (IF NOT EXISTS )?${NAME}`).exec(text);
  if (createView?.[3]) {
    const name = createView[3];
    return [
      {
        sql: text.replace(name, `${name}${onCluster}`),
        creates: parseName(name),
        ...(createView[2] ? { unlessPresent: parseName(name) } : {}),
      },
    ];
  }
  const createDatabase = /^CREATE DATABASE IF NOT EXISTS (`[^`]+`|\w+)$/.exec(text);
  if (createDatabase?.[1])
    return [{ sql: `${text}${onCluster}`, unlessPresent: { database: createDatabase[1].replaceAll('`', '') } }];
  const drop = new RegExp(`^DROP TABLE (IF EXISTS )?${NAME}$`).exec(text);
  // IF EXISTS: a table one host never had must not fail the drop on the others.
  if (drop?.[2] && !STAGING.test(drop[2])) return [{ sql: `DROP TABLE IF EXISTS ${drop[2]}${onCluster} SYNC` }];
  if (new RegExp(`^RENAME TABLE ${NAME} TO ${NAME}$`).test(text)) return [{ sql: `${text}${onCluster}` }];
  const replace = new RegExp(`^ALTER TABLE ${NAME} REPLACE PARTITION`).exec(text);
  if (replace?.[1]) return [{ sql: `SYSTEM SYNC REPLICA ${replace[1]} LIGHTWEIGHT` }, { sql: text }];
  return [{ sql: text }];
}

/** A MergeTree family engine as its Replicated kind, every host a replica of one path. */
function replicated(sql: string, cluster: ClusterSettings): string {
  return sql.replace(
    /ENGINE = (Replacing|Summing|Aggregating|Collapsing)?MergeTree(\(([^)]*)\))?/,
    (_all, kind: string | undefined, _args: string | undefined, inner: string | undefined) => {
      const args = [`'${cluster.zooPath}'`, "'{replica}'", ...(inner ? [inner] : [])].join(', ');
      return `ENGINE = Replicated${kind ?? ''}MergeTree(${args})`;
    },
  );
}

function parseName(text: string): TableName {
  return tableName(text.replaceAll('`', ''));
}

/** A staging table like `of`, made on this host: its engine without Replicated, and its keys. */
async function stagingDdl(warehouse: Warehouse, sql: string, of: TableName): Promise<string> {
  const [table] = await warehouse.query<{ engine: string; partition_key: string; sorting_key: string }>(
    `SELECT engine, partition_key, sorting_key FROM system.tables
     WHERE database = {database:String} AND name = {table:String}`,
    { params: { database: of.database, table: of.table } },
  );
  if (!table) return sql;
  const engine = table.engine.replace(/^Replicated/, '');
  const partition = table.partition_key === '' ? '' : ` PARTITION BY ${asKey(table.partition_key)}`;
  return `${sql} ENGINE = ${engine}${partition} ORDER BY ${asKey(table.sorting_key)}`;
}

/**
 * A key as system.tables gives it (`event_date`, `event_date, user_id`) as the DDL must write it
 * for REPLACE PARTITION to accept the tables as the same: a tuple in brackets, one column bare.
 */
function asKey(columns: string): string {
  let depth = 0;
  for (const char of columns) {
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) return `(${columns})`;
  }
  return columns === '' ? 'tuple()' : columns;
}

function isTimeout(error: unknown): boolean {
  return error instanceof WarehouseError && (error.type === 'TIMEOUT_EXCEEDED' || error.code === 159);
}

/** Whether a database, or a table of it, is there on this host. */
async function present(warehouse: Warehouse, object: { database: string; table?: string }): Promise<boolean> {
  const rows = await warehouse.query(
    object.table === undefined
      ? 'SELECT 1 FROM system.databases WHERE name = {database:String}'
      : 'SELECT 1 FROM system.tables WHERE database = {database:String} AND name = {table:String}',
    { params: { database: object.database, table: object.table ?? '' } },
  );
  return rows.length > 0;
}

/**
 * What cluster mode needs of the server: the cluster, a `{replica}` macro, and Keeper. Throws
 * naming each thing missing.
 */
export async function checkClusterMode(warehouse: Warehouse, cluster: ClusterSettings): Promise<void> {
  const problems: string[] = [];
  const [hosts] = await warehouse.query<{ n: string }>(
    'SELECT count() AS n FROM system.clusters WHERE cluster = {name:String}',
    { params: { name: cluster.name } },
  );
  if (Number(hosts?.n ?? 0) === 0) problems.push(`no cluster ${cluster.name} in system.clusters (<remote_servers>)`);
  const macros = await warehouse.query<{ macro: string }>("SELECT macro FROM system.macros WHERE macro = 'replica'");
  if (macros.length === 0) problems.push('no {replica} macro in system.macros (<macros><replica>)');
  try {
    await warehouse.query("SELECT count() FROM system.zookeeper WHERE path = '/'");
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    problems.push(`no Keeper for replicated tables (<zookeeper>): ${why ?? ''}`);
  }
  if (problems.length > 0) {
    throw new ClusterModeError(`warehouse.cluster ${cluster.name} cannot be used: ${problems.join('; ')}`, {
      hint: 'configure the server as docs/cluster.md says, or remove warehouse.cluster',
    });
  }
}
