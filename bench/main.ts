// Entry of `npm run bench`: runs the chosen workloads (all by default) against their peers and
// writes bench/results/<name>.{json,md}, summary.md (every result present in the folder) and
// growth.svg. `--smoke` runs tiny sizes once into a temp folder to prove every workload still runs.
// Usage: npm run bench -- [name|1-6 ...] [--smoke] [--dist|--source] [--out DIR] [--runs N] [--warmup N]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeGrowthChart } from './harness/chart.ts';
import { describeMachine, formatMachine, pickPython } from './harness/machine.ts';
import { measureWorkload } from './harness/measure.ts';
import { renderWorkload, writeSummary, writeWorkloadFiles } from './harness/report.ts';
import type { BenchContext, WorkloadResult } from './harness/types.ts';
import { selectWorkloads, workloads } from './workloads/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseCount(value: string | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`--${option} must be a non-negative integer, got '${value}'`);
  return n;
}

/** Every <name>.json in dir that belongs to a known workload, in registry order. */
async function readAllResults(dir: string): Promise<WorkloadResult[]> {
  const files = new Set(await readdir(dir));
  const results: WorkloadResult[] = [];
  for (const w of workloads) {
    if (!files.has(`${w.name}.json`)) continue;
    results.push(JSON.parse(await readFile(path.join(dir, `${w.name}.json`), 'utf8')) as WorkloadResult);
  }
  return results;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      smoke: { type: 'boolean', default: false },
      dist: { type: 'boolean', default: false },
      source: { type: 'boolean', default: false },
      out: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      variants: { type: 'string' },
    },
  });
  const smoke = values.smoke;
  // A full run measures what ships: it builds dist/ first and loads ergate from there
  // (--source measures the TypeScript sources under tsx instead, where every pool thread also
  // loads tsx). A smoke run uses the sources unless --dist is given.
  const useDist = values.dist || (!smoke && !values.source);
  if (useDist && !smoke) {
    execFileSync(
      process.execPath,
      [path.join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: path.join(here, '..'),
        stdio: 'inherit',
      },
    );
  }
  if (useDist) {
    if (!existsSync(path.join(here, '..', 'dist', 'src', 'index.js'))) {
      throw new Error('--dist measures the compiled package: run `npm run build` first');
    }
    // Read by harness/ours.ts here and in every probe child (they inherit the environment).
    process.env.ERGATE_BENCH_OURS = 'dist';
  }
  const selected = selectWorkloads(positionals);
  const runs = parseCount(values.runs, smoke ? 1 : 5, 'runs');
  const warmup = parseCount(values.warmup, smoke ? 0 : 1, 'warmup');
  const outDir = values.out
    ? path.resolve(values.out)
    : smoke
      ? await mkdtemp(path.join(os.tmpdir(), 'ergate-bench-smoke-'))
      : path.join(here, 'results');
  await mkdir(outDir, { recursive: true });

  const python = pickPython();
  const machine = describeMachine(python);
  const started = Date.now();
  const log = (message: string): void => {
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
  };
  log(`machine: ${formatMachine(machine)}`);
  log(
    `workloads: ${selected.map((w) => w.name).join(', ')}; ${warmup} warm-up, ${runs} counted run(s); out: ${outDir}`,
  );

  for (const workload of selected) {
    const tmpDir = await mkdtemp(path.join(os.tmpdir(), `ergate-bench-${workload.name}-`));
    const ctx: BenchContext = { smoke, python, tmpDir, log };
    try {
      const result = await measureWorkload(workload, ctx, {
        runs,
        warmup,
        machine,
        forced: { runs: values.runs !== undefined, warmup: values.warmup !== undefined },
        // commas inside a variant's name, as in 'ours (forkserver, new runner per run)', do not split it
        only: values.variants?.split(/,(?![^(]*\))/).map((v) => v.trim()),
        callTimeoutMs: smoke ? 20_000 : 300_000,
      });
      await writeWorkloadFiles(outDir, result);
      if (workload.name === 'growth') await writeGrowthChart(path.join(outDir, 'growth.svg'), result);
      process.stdout.write(`\n${renderWorkload(result)}`);
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }
  const summary = await writeSummary(outDir, machine, await readAllResults(outDir));
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s; summary: ${summary}`);
  process.stdout.write(`\nresults written to ${outDir}\n`);
}

main().then(
  // A runner under test that leaves a handle open must not hang the bench after its report.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
