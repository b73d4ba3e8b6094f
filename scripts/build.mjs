#!/usr/bin/env node
// Builds dist/ from src/ when a source is newer than the last build (or with --force), so
// `npm start` pays for the TypeScript compiler only after a change.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stats.mtimeMs);
}

const force = process.argv.includes('--force');
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : -1;
const changed = Math.max(...inputs.map((input) => newest(join(root, input))));
if (!force && changed <= built) process.exit(0);

// A clean build: modules deleted from src/ must not linger in dist/.
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  { stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// The dashboard's browser code, bundled with Vega, beside the web server's modules that serve it.
const { bundleBrowserCode } = await import(pathToFileURL(join(root, 'dist/web/browser-build.js')).href);
const bundle = await bundleBrowserCode(new URL('../src/web/browser/main.ts', import.meta.url));
const assets = join(root, 'dist/web/assets');
mkdirSync(assets, { recursive: true });
writeFileSync(join(assets, 'dashboard.js'), bundle.script);
writeFileSync(join(assets, 'dashboard.css'), bundle.style);
writeFileSync(stamp, `${new Date().toISOString()}\n`);
