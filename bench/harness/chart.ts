// Draws the growth chart: time per script against N (log scale), one line per variant, as SVG.
// vega-lite compiles the short spec to vega, and vega renders headless (renderer 'none' plus
// toSVG), so no browser or canvas package is needed.
import { writeFile } from 'node:fs/promises';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { WorkloadResult } from './types.ts';

interface Point {
  N: number;
  variant: string;
  msPerScript: number;
}

function collectPoints(result: WorkloadResult): Point[] {
  const points: Point[] = [];
  for (const c of result.cases) {
    const n = c.params.N;
    if (n === undefined) continue;
    for (const row of c.rows) {
      if (row.median !== null) points.push({ N: n, variant: row.variant, msPerScript: row.median });
    }
  }
  return points;
}

/** Renders the growth workload's medians to an SVG file; returns the number of points drawn. */
export async function writeGrowthChart(file: string, result: WorkloadResult): Promise<number> {
  const points = collectPoints(result);
  const m = result.machine;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Time per script against N (median; lower is better; flat is the goal)',
      subtitle: `${m.cores} cores ${m.cpuModel} · Node ${m.node} · Python ${m.pythonVersion} · ergate from ${m.ergateBuild}`,
      subtitleFontSize: 9,
    },
    width: 560,
    height: 300,
    background: 'white',
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'N', type: 'quantitative', scale: { type: 'log' }, title: 'scripts per run (N, log scale)' },
      y: { field: 'msPerScript', type: 'quantitative', title: 'wall time per script (ms)', scale: { zero: true } },
      color: { field: 'variant', type: 'nominal', title: 'variant' },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  await writeFile(file, svg);
  return points.length;
}
