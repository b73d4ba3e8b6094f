import type { ConfigProblem } from './config-error.js';

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface Substituted {
  readonly value: unknown;
  readonly problems: readonly ConfigProblem[];
  /** Key paths whose value came (wholly or partly) from the environment. */
  readonly fromEnvironment: ReadonlySet<string>;
}

/**
 * Replaces `${VAR}` (and `${VAR:-fallback}`) in every string of a parsed YAML tree with the
 * environment's value. `$$` is a literal `$`. Substituting after parsing, not in the text, means
 * a value from the environment can never change the file's structure.
 */
export function substituteEnvironment(tree: unknown, env: Readonly<Record<string, string | undefined>>): Substituted {
  const problems: ConfigProblem[] = [];
  const fromEnvironment = new Set<string>();

  const visit = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      return node.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
        if (name === undefined) return '$';
        fromEnvironment.add(path);
        const value = env[name];
        if (value !== undefined && value !== '') return value;
        if (fallback !== undefined) return fallback;
        problems.push({
          path,
          message: `${whole} is not set in the environment; export ${name} or write the value in the file`,
        });
        return '';
      });
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, `${path}[${index}]`));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [key, visit(value, path === '' ? key : `${path}.${key}`)]),
      );
    }
    return node;
  };

  return { value: visit(tree, ''), problems, fromEnvironment };
}
