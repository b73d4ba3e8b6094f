const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A validated `db.table` name; build one with {@link tableName}. */
export interface TableName {
  readonly database: string;
  readonly table: string;
  /** The name quoted for SQL: `` `db`.`table` ``. */
  readonly sql: string;
}

/** Whether a text is a plain identifier (ASCII letters, digits and `_`, not starting with a digit). */
export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** Quotes a validated identifier for SQL. Throws on anything that is not a plain identifier. */
export function quoteIdentifier(name: string): string {
  if (!isIdentifier(name)) throw new TypeError(`not a plain identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** Parses and validates `db.table` (config has already checked it; this guards every other caller). */
export function tableName(qualified: string): TableName {
  const parts = qualified.split('.');
  const [database, table] = parts;
  if (
    parts.length !== 2 ||
    database === undefined ||
    table === undefined ||
    !isIdentifier(database) ||
    !isIdentifier(table)
  ) {
    throw new TypeError(`not a db.table name: ${JSON.stringify(qualified)}`);
  }
  return { database, table, sql: `${quoteIdentifier(database)}.${quoteIdentifier(table)}` };
}

/** The same table's sibling in the same database, e.g. a staging table next to its target. */
export function siblingTable(of: TableName, suffix: string): TableName {
  return tableName(`${of.database}.${of.table}${suffix}`);
}
