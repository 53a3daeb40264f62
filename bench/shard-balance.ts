// `node --import tsx bench/shard-balance.ts`: --shard I/N balanced by --durations-file against
// today's count split (issue 26 point 1). Computed: a suite of 400 scripts with a skewed
// duration mix (seeded; most short, a few very long), dealt over 4 shards both ways from the
// durations file alone; goal: the slowest shard's total <= 1.10x the mean shard total with the
// file. Real (skip with --skip-real): 48 sleeping scripts (the same mix scaled down), a first
// full run with --store-durations, then each of the 4 shards run by the CLI (-j 1) both ways,
// wall time per shard. Writes bench/results/shard-balance.{json,md}.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dealByDuration } from '../src/cli/selection/shard-by-duration.ts';
import { selectShard } from '../src/cli/selection/shard.ts';
import { describeMachine, formatMachine, pickPython } from './harness/machine.ts';

const { values } = parseArgs({
  options: { 'skip-real': { type: 'boolean', default: false }, seed: { type: 'string', default: '26' } },
});
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'ergate.js');
const PYTHON = pickPython();
const SHARDS = 4;
const GOAL = 1.1;

/** Deterministic: mulberry32. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** 80% 50-300 ms, 15% 0.5-3 s, 5% 10-40 s; the long ones cluster in two folders, as integration suites do. */
function skewedSuite(count: number, seed: number): Map<string, number> {
  const next = random(seed);
  const suite = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const r = next();
    const [folder, lo, hi] =
      r < 0.8 ? ['unit', 50, 300] : r < 0.95 ? ['api', 500, 3000] : ['integration', 10_000, 40_000];
    const sub = folder === 'unit' ? `unit/m${i % 9}` : folder;
    suite.set(`tests/${sub}/test_${String(i).padStart(3, '0')}.py`, Math.round(lo + next() * (hi - lo)));
  }
  return suite;
}

interface Split {
  totalsMs: number[];
  counts: number[];
  maxOverMean: number;
}

function split(groups: string[][], durations: Map<string, number>): Split {
  const totalsMs = groups.map((g) => g.reduce((sum, s) => sum + durations.get(s)!, 0));
  const mean = totalsMs.reduce((a, b) => a + b, 0) / totalsMs.length;
  return { totalsMs, counts: groups.map((g) => g.length), maxOverMean: Math.max(...totalsMs) / mean };
}

function computed(seed: number): { byDuration: Split; byCount: Split; scripts: number } {
  const suite = skewedSuite(400, seed);
  const scripts = [...suite.keys()].sort();
  const byDuration = dealByDuration(scripts, SHARDS, (s) => suite.get(s)).map((s) => s.scripts);
  const byCount = Array.from({ length: SHARDS }, (_, i) => selectShard(scripts, { index: i + 1, count: SHARDS }));
  return { byDuration: split(byDuration, suite), byCount: split(byCount, suite), scripts: scripts.length };
}

function cli(args: string[], cwd: string): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, CI: 'true' },
    stdio: 'ignore',
  });
  if (run.status !== 0) throw new Error(`ergate ${args.join(' ')} exited ${run.status}`);
  return performance.now() - started;
}

/** 48 scripts sleeping the skewed mix / 8, run as 4 shards both ways. */
function real(seed: number): { byDuration: number[]; byCount: number[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-shard-bench-'));
  try {
    const suite = skewedSuite(48, seed);
    for (const [script, ms] of suite) {
      mkdirSync(path.dirname(path.join(dir, script)), { recursive: true });
      writeFileSync(path.join(dir, script), `import time\ntime.sleep(${ms / 8 / 1000})\n`);
    }
    const base = ['run', 'tests', '--python', PYTHON, '--timeout', '5m', '-q'];
    cli([...base, '-j', '2', '--store-durations', 'durations.json'], dir);
    const walls = (extra: string[]): number[] =>
      Array.from({ length: SHARDS }, (_, i) =>
        Math.round(cli([...base, '-j', '1', '--shard', `${i + 1}/${SHARDS}`, ...extra], dir)),
      );
    return { byCount: walls([]), byDuration: walls(['--durations-file', 'durations.json']) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const seed = Number(values.seed);
const machine = describeMachine(PYTHON);
const result = computed(seed);
const measured = values['skip-real'] ? null : real(seed);
const load = readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
const ratio = (xs: number[]): number => Math.max(...xs) / (xs.reduce((a, b) => a + b, 0) / xs.length);
const fmt = (x: number): string => x.toFixed(3);
const lines = [
  '# Shards balanced by duration (issue 26 point 1)',
  '',
  `${formatMachine(machine)}; load average at the end: ${load}. Seed ${seed}.`,
  '',
  `Computed from the durations file alone: ${result.scripts} scripts (80% 50-300 ms, 15% 0.5-3 s, 5% 10-40 s), ${SHARDS} shards.`,
  '',
  '| split | shard totals (s) | scripts per shard | slowest / mean | goal <= 1.10 |',
  '| --- | --- | --- | --- | --- |',
  ...(['byDuration', 'byCount'] as const).map((key) => {
    const s = result[key];
    const name = key === 'byDuration' ? '--durations-file' : 'count (k mod N)';
    const goal = key === 'byDuration' ? (s.maxOverMean <= GOAL ? 'met' : 'MISSED') : '-';
    return `| ${name} | ${s.totalsMs.map((t) => (t / 1000).toFixed(1)).join(', ')} | ${s.counts.join(', ')} | ${fmt(s.maxOverMean)} | ${goal} |`;
  }),
  '',
  ...(measured
    ? [
        'Measured: 48 scripts sleeping the same mix / 8, durations stored by a first run (`--store-durations`),',
        'then each shard run by the CLI with -j 1; wall ms per shard (python start-up included).',
        '',
        '| split | shard wall (ms) | slowest / mean |',
        '| --- | --- | --- |',
        `| --durations-file | ${measured.byDuration.join(', ')} | ${fmt(ratio(measured.byDuration))} |`,
        `| count (k mod N) | ${measured.byCount.join(', ')} | ${fmt(ratio(measured.byCount))} |`,
      ]
    : ['Measured run skipped (--skip-real).']),
];
const out = path.join(ROOT, 'bench', 'results');
writeFileSync(path.join(out, 'shard-balance.md'), `${lines.join('\n')}\n`);
writeFileSync(
  path.join(out, 'shard-balance.json'),
  `${JSON.stringify({ machine, load, seed, ...result, measured }, null, 2)}\n`,
);
process.stdout.write(`${lines.join('\n')}\n`);
