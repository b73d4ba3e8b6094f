/** A slice: its name in the target's `dimension` column and the expression giving its value. */
export interface Dimension {
  readonly name: string;
  readonly expression: string;
}

/** SPEC §3's dimensions, always computed; configured ones come after them. */
export const DEFAULT_DIMENSIONS = ['os', 'gender', 'age'] as const;

/** The three built-in dimensions and the configured extra ones, in that order. */
export function resolveDimensions(extra: Readonly<Record<string, string>>): Dimension[] {
  return [
    ...DEFAULT_DIMENSIONS.map((name) => ({ name, expression: name })),
    ...Object.entries(extra).map(([name, expression]) => ({ name, expression })),
  ];
}
