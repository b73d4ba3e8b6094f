import embed, { type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';

/**
 * Draws a Vega-Lite specification as SVG. Expressions are interpreted, not compiled to
 * functions, so the page runs under a content-security policy without 'unsafe-eval'.
 */
export async function draw(target: HTMLElement, spec: VisualizationSpec): Promise<void> {
  await embed(target, spec, {
    actions: false,
    renderer: 'svg',
    ast: true,
    expr: expressionInterpreter,
    // Small offsets, so a tooltip fits beside the pointer on a phone.
    tooltip: { offsetX: 6, offsetY: 6 },
  });
}
