import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BrowserBundle } from './browser-bundle.js';

/**
 * Bundles the dashboard's browser modules (TypeScript, with Vega and Vega-Lite) into one script
 * and one stylesheet, for browsers of the last few years.
 */
export async function bundleBrowserCode(entry: URL): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    outdir: 'out',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const text = (ext: string) => result.outputFiles.find((file) => file.path.endsWith(ext))?.text ?? '';
  return { script: text('.js'), style: text('.css') };
}
