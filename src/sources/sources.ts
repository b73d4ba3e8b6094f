import type { TableName } from '../warehouse/identifiers.js';

/*
 * The product's source tables (SPEC §1), described once. Every job, the simulator that creates
 * them, and the checks that they are there read this description; nothing else lists the columns.
 */

/** The attributes of the acting user that every row of both tables carries. */
export const USER_ATTRIBUTES = ['gender', 'age', 'os', 'country', 'city', 'source', 'exp_group'] as const;
export type UserAttribute = (typeof USER_ATTRIBUTES)[number];

export function isUserAttribute(text: string): text is UserAttribute {
  return (USER_ATTRIBUTES as readonly string[]).includes(text);
}

/** A slice of users as written, `attribute=value` (`os=iOS`); undefined when it is not one. */
export function parseSlice(text: string): { attribute: UserAttribute; value: string } | undefined {
  const at = text.indexOf('=');
  const attribute = text.slice(0, Math.max(0, at));
  const value = text.slice(at + 1);
  return at > 0 && isUserAttribute(attribute) && value !== '' ? { attribute, value } : undefined;
}

export type ColumnType = 'UInt8' | 'Int8' | 'UInt32' | 'String' | 'DateTime';
export type AttributeType = Extract<ColumnType, 'UInt8' | 'Int8' | 'String'>;

export const ATTRIBUTE_TYPES: Readonly<Record<UserAttribute, AttributeType>> = {
  gender: 'UInt8',
  age: 'UInt8',
  os: 'String',
  country: 'String',
  city: 'String',
  source: 'String',
  exp_group: 'Int8',
};

/** A plausible user, as SQL literals: what an extra dimension's expression is tried on. */
export const SAMPLE_USER: Readonly<Record<UserAttribute, string>> = {
  gender: 'toUInt8(1)',
  age: 'toUInt8(30)',
  os: "'iOS'",
  country: "'Russia'",
  city: "'Moscow'",
  source: "'ads'",
  exp_group: 'toInt8(1)',
};

export interface SourceColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** Where the product's events are, as configured (`sources.*`). */
export interface Sources {
  readonly feed: TableName;
  readonly messages: TableName;
  /** `reciever_id` in older copies of the warehouse, `receiver_id` in newer ones. */
  readonly receiverColumn: string;
}

export type SourceName = 'feed' | 'messages';
export const SOURCE_NAMES: readonly SourceName[] = ['feed', 'messages'];

/** The config key that names each source table, for messages that say what to fix. */
export const SOURCE_CONFIG_KEYS: Readonly<Record<SourceName, string>> = {
  feed: 'sources.feed',
  messages: 'sources.messages',
};

const attributeColumns = (names: readonly UserAttribute[]): SourceColumn[] =>
  names.map((name) => ({ name, type: ATTRIBUTE_TYPES[name] }));

/** `feed_actions`, in the warehouse's column order. */
export function feedColumns(): SourceColumn[] {
  return [
    { name: 'user_id', type: 'UInt32' },
    { name: 'post_id', type: 'UInt32' },
    { name: 'action', type: 'String' },
    { name: 'time', type: 'DateTime' },
    ...attributeColumns(['gender', 'age', 'country', 'city', 'os', 'source', 'exp_group']),
  ];
}

/** `message_actions`, in the warehouse's column order: `user_id` sends to the receiver column. */
export function messageColumns(receiverColumn: string): SourceColumn[] {
  return [
    { name: 'user_id', type: 'UInt32' },
    { name: receiverColumn, type: 'UInt32' },
    { name: 'time', type: 'DateTime' },
    ...attributeColumns(['source', 'exp_group', 'gender', 'age', 'country', 'city', 'os']),
  ];
}

/** Each source table with its columns. */
export function sourceTables(sources: Sources): Record<SourceName, { table: TableName; columns: SourceColumn[] }> {
  return {
    feed: { table: sources.feed, columns: feedColumns() },
    messages: { table: sources.messages, columns: messageColumns(sources.receiverColumn) },
  };
}
