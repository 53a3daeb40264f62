// Keeps the bench from rotting: `npm run bench -- --smoke` (tiny sizes, one run, results in a
// temp folder) must run every workload and produce a number for every variant that exists.
// A variant may be "not available" (a component not built yet, GNU parallel not installed) but
// never "error": an error means a workload or a component it measures is broken.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkloadResult } from '../../bench/harness/types.ts';
import { workloads } from '../../bench/workloads/index.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

describe('npm run bench -- --smoke', () => {
  let outDir: string;
  let stdout = '';

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'ergate-smoke-test-'));
    const done = await run('npm', ['run', 'bench', '--', '--smoke', '--out', outDir], {
      cwd: root,
      timeout: 240_000,
      maxBuffer: 16 * 2 ** 20,
    });
    stdout = done.stdout;
  }, 250_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('reports where it wrote the results', () => {
    expect(stdout).toContain(`results written to ${outDir}`);
  });

  it.each(workloads.map((w) => w.name))('%s ran and produced numbers', async (name) => {
    const result = JSON.parse(await readFile(path.join(outDir, `${name}.json`), 'utf8')) as WorkloadResult;
    expect(result.smoke).toBe(true);
    expect(result.error).toBeNull();
    expect(result.machine.pythonVersion).toMatch(/^3\.\d+/);
    // A workload whose service is missing here (e.g. redis-server) says so instead of measuring.
    if (result.unavailable) return;
    expect(result.cases.length).toBeGreaterThan(0);
    for (const c of result.cases) {
      const reference = c.rows.find((r) => r.variant === result.reference);
      expect(reference?.status, `${c.label}: reference ${result.reference}`).toBe('ok');
      for (const row of c.rows) {
        expect(row.status, `${c.label} / ${row.variant}: ${row.reason}`).not.toBe('error');
        if (row.status !== 'ok') continue;
        expect(row.samples).toHaveLength(1);
        expect(Number.isFinite(row.median)).toBe(true);
        expect(row.ratio).not.toBeNull();
      }
    }
  });

  it('writes the growth chart as SVG and a summary naming every workload and the machine', async () => {
    const svg = await readFile(path.join(outDir, 'growth.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('wall time per script (ms)');
    expect(svg).toContain('xargs -P2');
    const summary = await readFile(path.join(outDir, 'summary.md'), 'utf8');
    for (const w of workloads) expect(summary).toContain(`(\`${w.name}\`)`);
    expect(summary).toMatch(/\d+ cores .* Node v\d+/);
  });
});
