import { stringify } from 'yaml';
import { formatDuration } from '../time/duration.js';
import { DURATION_PATHS, SECRET_PATHS, URL_PATHS, type Config } from './schema.js';

export const REDACTED = '***';

/** A URL's password (`https://user:password@host`), hidden; other text unchanged. */
export function redactUserInfo(text: string): string {
  return text.replace(/(\w+:\/\/[^/:@\s]*:)[^/@\s]*@/g, `$1${REDACTED}@`);
}

/** The password in a URL's user info, if any: a secret like the configured ones. */
export function userInfoPassword(text: string): string | undefined {
  const match = /\w+:\/\/[^/:@\s]*:([^/@\s]+)@/.exec(text);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

/**
 * Returns a function that replaces every known secret value in a text by `***`. Applied to
 * everything vigil prints (logs, errors, ledger rows), so a secret echoed back by a library,
 * a server or a URL cannot leak.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  // Very short values would blank out ordinary words; config validation keeps real secrets longer.
  const needles = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  if (needles.length === 0) return (text) => text;
  return (text) => needles.reduce((out, needle) => out.split(needle).join(REDACTED), text);
}

/** The effective configuration as YAML, in the file's own shape, with secrets replaced by `***`. */
export function formatConfig(config: Config): string {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const path of SECRET_PATHS) update(copy, path, (value) => (value === '' ? value : REDACTED));
  for (const path of URL_PATHS)
    update(copy, path, (value) => (typeof value === 'string' ? redactUserInfo(value) : value));
  // A duration left unset means `off` (alerts.noData).
  for (const path of DURATION_PATHS) {
    update(copy, path, (value) => (typeof value === 'number' ? formatDuration(value) : (value ?? 'off')));
  }
  // Each metric's detector as vigil.yaml spells it: the name beside its settings.
  const alerts = copy.alerts as { metrics?: Record<string, Record<string, unknown>> } | undefined;
  if (alerts?.metrics) {
    alerts.metrics = Object.fromEntries(
      Object.entries(alerts.metrics).map(([metric, { detector, ...rest }]) => {
        if (!detector || typeof detector !== 'object') return [metric, { detector, ...rest }];
        const { name, ...options } = detector as Record<string, unknown>;
        return [metric, { ...rest, detector: name, ...options }];
      }),
    );
  }
  return stringify(copy);
}

function update(tree: Record<string, unknown>, path: string, change: (value: unknown) => unknown): void {
  const keys = path.split('.');
  const last = keys.pop();
  let node: unknown = tree;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[key];
  }
  if (last === undefined || node === null || typeof node !== 'object' || !(last in node)) return;
  const record = node as Record<string, unknown>;
  record[last] = change(record[last]);
}
