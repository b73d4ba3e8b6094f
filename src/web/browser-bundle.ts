import { readFile } from 'node:fs/promises';

/** The dashboard's browser code and styles: one script (with Vega) and one stylesheet. */
export interface BrowserBundle {
  readonly script: string;
  readonly style: string;
}

/** Where `npm run build` writes the bundle, beside this module in dist/. */
const BUILT = new URL('./assets/', import.meta.url);
/** The browser modules' entry, for running from src/ (tests, tsx) where nothing is built. */
const ENTRY = new URL('./browser/main.ts', import.meta.url);

let bundle: Promise<BrowserBundle> | undefined;

/** The bundle built with vigil, else built now from the sources (once per process). */
export function browserBundle(): Promise<BrowserBundle> {
  bundle ??= readBuilt().catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return buildBundle();
  });
  return bundle;
}

async function readBuilt(): Promise<BrowserBundle> {
  const [script, style] = await Promise.all([
    readFile(new URL('dashboard.js', BUILT), 'utf8'),
    readFile(new URL('dashboard.css', BUILT), 'utf8'),
  ]);
  return { script, style };
}

async function buildBundle(): Promise<BrowserBundle> {
  // esbuild is a build tool (a dev dependency); an installed vigil has the bundle built already.
  const { bundleBrowserCode } = await import('./browser-build.js');
  return bundleBrowserCode(ENTRY);
}
