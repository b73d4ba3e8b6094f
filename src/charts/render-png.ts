import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from './chart-spec.js';

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
/** Shipped with vigil (npm dejavu-fonts-ttf): Latin and Cyrillic, so no system font is needed. */
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) => join(FONT_DIR, file));

/** Telegram's limits for a photo: 10 MB, and width + height at most 10000 px. */
export const TELEGRAM_PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export const TELEGRAM_PHOTO_MAX_SIDES = 10_000;

export interface RenderedPng {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * Renders a Vega-Lite specification to PNG: Vega draws SVG (no canvas needed), resvg rasterises
 * it with the shipped font at `scale`× for sharp text on phones, shrinking if Telegram's size
 * limits would be exceeded.
 */
export async function renderPng(spec: ChartSpec, scale = 2): Promise<RenderedPng> {
  const view = new View(parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const resvg = new Resvg(svg, {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: scale },
  });
  const { width, height } = resvg;
  if ((width + height) * scale > TELEGRAM_PHOTO_MAX_SIDES && scale > 1) return renderPng(spec, scale / 2);
  const png = resvg.render().asPng();
  if (png.length > TELEGRAM_PHOTO_MAX_BYTES && scale > 1) return renderPng(spec, scale / 2);
  return { png, width: Math.round(width * scale), height: Math.round(height * scale) };
}
