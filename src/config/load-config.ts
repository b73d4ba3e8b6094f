import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { substituteEnvironment } from './env-substitution.js';
import { redactUserInfo, userInfoPassword } from './redact.js';
import { configSchema, SECRET_PATHS, URL_PATHS, type Config } from './schema.js';

export interface LoadConfigOptions {
  /** `--config FILE` from the command line. */
  readonly file?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Ignore every file and VIGIL_CONFIG: the built-in defaults, relative to `cwd` (for the demo). */
  readonly builtInOnly?: boolean;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Where it came from: a file path, or `built-in defaults`. */
  readonly source: string;
  /** Things that work but deserve a word, e.g. a secret written into the file. */
  readonly warnings: readonly string[];
  /** Secret values present in the config, for redaction of any text vigil prints. */
  readonly secrets: readonly string[];
}

const DEFAULT_FILE = 'vigil.yaml';

/** Finds, reads, substitutes and validates the configuration. Throws {@link ConfigError}. */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const file = options.builtInOnly ? undefined : locateFile(options);
  if (file === undefined) return finish({}, 'built-in defaults', options.cwd, new Set());

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(file, [{ path: '', message: reason }]);
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((e) => ({ path: '', message: `YAML: ${e.message.split('\n')[0] ?? ''}` })),
    );
  }
  const tree: unknown = document.toJS() ?? {};
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    throw new ConfigError(file, [
      { path: '', message: 'expected a YAML mapping of keys such as timezone, warehouse, sources' },
    ]);
  }
  const substituted = substituteEnvironment(tree, options.env);
  return finish(substituted.value, file, dirname(file), substituted.fromEnvironment, substituted.problems);
}

function locateFile({ file, env, cwd }: LoadConfigOptions): string | undefined {
  const named = file ?? env.VIGIL_CONFIG;
  if (named !== undefined && named !== '') return resolve(cwd, named);
  const fallback = resolve(cwd, DEFAULT_FILE);
  return existsSync(fallback) ? fallback : undefined;
}

function finish(
  raw: unknown,
  source: string,
  baseDir: string,
  fromEnvironment: ReadonlySet<string>,
  substitutionProblems: readonly ConfigProblem[] = [],
): LoadedConfig {
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success || substitutionProblems.length > 0) {
    // A missing variable already has its own problem; the empty value it left needs no second one.
    const unset = new Set(substitutionProblems.map((p) => p.path));
    const schemaProblems = (parsed.error?.issues ?? [])
      .map((issue) => describeIssue(issue, raw))
      .filter((p) => !unset.has(p.path));
    throw new ConfigError(source, [...substitutionProblems, ...schemaProblems]);
  }
  const config = parsed.data;

  const warnings: string[] = [];
  const secrets: string[] = [];
  for (const path of URL_PATHS) {
    const value = valueAt(config, path);
    const password = typeof value === 'string' ? userInfoPassword(value) : undefined;
    if (password === undefined) continue;
    secrets.push(password);
    if (!fromEnvironment.has(path))
      warnings.push(`${path} carries a password in ${source}; give it from the environment`);
  }
  for (const path of SECRET_PATHS) {
    const value = valueAt(config, path);
    if (typeof value !== 'string' || value === '') continue;
    secrets.push(value);
    if (!fromEnvironment.has(path)) {
      warnings.push(
        `${path} is written in ${source}; ` +
          'keep secrets out of files: use ${VIGIL_SECRET}-style references to the environment',
      );
    }
  }

  const resolved: Config = {
    ...config,
    warehouse: config.warehouse.embedded
      ? { embedded: { ...config.warehouse.embedded, path: absolute(baseDir, config.warehouse.embedded.path) } }
      : config.warehouse,
    notify: { ...config.notify, outbox: { path: absolute(baseDir, config.notify.outbox.path) } },
  };
  return { config: deepFreeze(resolved), source, warnings, secrets };
}

function absolute(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem {
  const path = issue.path.map(String).join('.');
  const secret = (SECRET_PATHS as readonly string[]).includes(path);
  if (issue.code === 'unrecognized_keys') {
    const where = path === '' ? '' : `${path}.`;
    const known = knownKeys(path);
    const expected = known.length > 0 ? `; expected one of: ${known.join(', ')}` : '';
    return {
      path: issue.keys.map((key) => `${where}${key}`).join(', '),
      message: `unknown key${issue.keys.length === 1 ? '' : 's'}${expected}`,
    };
  }
  if (issue.code === 'invalid_key') {
    const key = String(issue.path.at(-1));
    const inner = issue.issues[0];
    const wanted =
      inner?.code === 'invalid_value'
        ? `one of: ${inner.values.map(String).join(', ')}`
        : (inner?.message ?? 'another name');
    return { path, message: `the name ${JSON.stringify(key)} is not allowed, expected ${wanted}` };
  }
  const input = valueAt(raw, path);
  const seen =
    input === undefined
      ? 'missing'
      : secret
        ? 'got a value (hidden)'
        : `got ${redactUserInfo(excerpt(JSON.stringify(input)))}`;
  const expected =
    issue.code === 'invalid_type'
      ? `expected ${issue.expected}`
      : issue.code === 'invalid_value'
        ? `expected one of: ${issue.values.map(String).join(', ')}`
        : `expected ${issue.message}`;
  return { path, message: `${seen}, ${expected}` };
}

function knownKeys(path: string): string[] {
  let schema: z.core.$ZodType = configSchema;
  for (const key of path === '' ? [] : path.split('.')) {
    const next = shapeOf(schema)?.[key];
    if (next === undefined) return [];
    schema = next;
  }
  return Object.keys(shapeOf(schema) ?? recordKeys(schema) ?? {});
}

/** The allowed keys of a record keyed by an enum (such as alerts.metrics), behind wrappers. */
function recordKeys(schema: z.core.$ZodType): Record<string, unknown> | undefined {
  const def = schema._zod.def as unknown as Record<string, unknown>;
  if (def.type === 'record') {
    const keyDef = (def.keyType as z.core.$ZodType)._zod.def as unknown as Record<string, unknown>;
    return keyDef.type === 'enum' ? (keyDef.entries as Record<string, unknown>) : undefined;
  }
  const inner = (def.innerType ?? def.in) as z.core.$ZodType | undefined;
  return inner === undefined ? undefined : recordKeys(inner);
}

/** The object shape behind defaults, optionals and transforms, if the schema is an object. */
function shapeOf(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  const def = schema._zod.def as unknown as Record<string, unknown>;
  if (def.type === 'object') return def.shape as Record<string, z.core.$ZodType>;
  const inner = (def.innerType ?? def.in) as z.core.$ZodType | undefined;
  return inner === undefined ? undefined : shapeOf(inner);
}

function valueAt(tree: unknown, path: string): unknown {
  let node = tree;
  for (const key of path === '' ? [] : path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A value as a problem quotes it: at most a line's worth. */
function excerpt(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
