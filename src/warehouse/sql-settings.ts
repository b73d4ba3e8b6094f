import { isIdentifier } from './identifiers.js';

/** Renders per-statement settings as a `SETTINGS a = 1, b = 'x'` clause (embedded adapter only). */
export function settingsClause(settings: Readonly<Record<string, string | number | boolean>> | undefined): string {
  const entries = Object.entries(settings ?? {});
  if (entries.length === 0) return '';
  const rendered = entries.map(([name, value]) => {
    if (!isIdentifier(name)) throw new TypeError(`not a setting name: ${JSON.stringify(name)}`);
    const literal =
      typeof value === 'string'
        ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
        : typeof value === 'boolean'
          ? value
            ? '1'
            : '0'
          : String(value);
    return `${name} = ${literal}`;
  });
  return ` SETTINGS ${rendered.join(', ')}`;
}
