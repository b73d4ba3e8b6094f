import { ATTRIBUTE_TYPES, type AttributeType, type UserAttribute } from '../sources/sources.js';
import { quoteIdentifier } from '../warehouse/identifiers.js';

/**
 * How the ETL picks a user's latest own row of a day in one pass: each row gets a key whose
 * maximum over the user's rows is that row, and the row's time and attributes are read back from
 * the maximum. Among rows of the same second the greatest attribute tuple wins (numbers by value,
 * strings by their bytes), so re-runs always agree.
 */
export interface LatestRowSql {
  /** The key of one source row. */
  readonly key: string;
  /** The time of the row whose key is `latest`. */
  readonly time: string;
  /** Each attribute of the row whose key is `latest`, in the order asked for. */
  readonly attributes: readonly string[];
}

/** The ClickHouse message of the packed key's check; the caller then uses {@link tupleLatestRow}. */
export const STRING_TOO_LONG = 'vigil: an attribute string longer than 8 bytes';

const BITS: Record<AttributeType, number> = { UInt8: 8, Int8: 8, String: 64 };
const TIME_BITS = 32;

/**
 * The key as one UInt128: the time's 32 bits, then 8 bits per number and a string's first 8 bytes
 * (big-endian, so that numbers order as the strings do), each in SPEC order: a max over one wide
 * integer is much cheaper than over a tuple (docs/benchmarks.md). Undefined when the attributes do
 * not fit in 128 bits. A day with a longer string makes the statement fail with {@link STRING_TOO_LONG}.
 */
export function packedLatestRow(attributes: readonly UserAttribute[]): LatestRowSql | undefined {
  const bits = attributes.reduce((sum, a) => sum + BITS[ATTRIBUTE_TYPES[a]], TIME_BITS);
  if (bits > 128) return undefined;
  let shift = 128 - TIME_BITS;
  const fields = attributes.map((attribute) => {
    shift -= BITS[ATTRIBUTE_TYPES[attribute]];
    return { attribute, type: ATTRIBUTE_TYPES[attribute], shift };
  });
  const part = (value: string, at: number) =>
    at === 0 ? `toUInt128(${value})` : `bitShiftLeft(toUInt128(${value}), ${at})`;
  const encode = ({ attribute, type }: (typeof fields)[number]) => {
    const column = quoteIdentifier(attribute);
    if (type === 'UInt8') return column;
    if (type === 'Int8') return `toUInt8(toInt16(${column}) + 128)`;
    return `byteSwap(reinterpretAsUInt64(${column})) + throwIf(length(${column}) > 8, '${STRING_TOO_LONG}')`;
  };
  const field = (at: number) => `bitShiftRight(latest, ${at})`;
  const decode = ({ type, shift: at }: (typeof fields)[number]) => {
    if (type === 'UInt8') return `toUInt8(${field(at)})`;
    if (type === 'Int8') return `toInt8(toInt16(toUInt8(${field(at)})) - 128)`;
    return `reinterpretAsString(byteSwap(toUInt64(${field(at)})))`;
  };
  return {
    key: [part('toUInt32(time)', 128 - TIME_BITS), ...fields.map((f) => part(encode(f), f.shift))].join(' + '),
    time: `toDateTime(toUInt32(${field(128 - TIME_BITS)}), 'UTC')`,
    attributes: fields.map(decode),
  };
}

/** The key as a tuple: any attributes, any string lengths, at a far higher cost. */
export function tupleLatestRow(attributes: readonly UserAttribute[]): LatestRowSql {
  return {
    key: `tuple(time, ${attributes.map(quoteIdentifier).join(', ')})`,
    time: 'tupleElement(latest, 1)',
    attributes: attributes.map((_, i) => `tupleElement(latest, ${i + 2})`),
  };
}
