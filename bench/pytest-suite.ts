// `node --import tsx bench/pytest-suite.ts [--rounds N] [--spawn-rounds N] [--suite DIR]`: a real pytest
// suite from a Debian package (networkx's tests, python3-networkx: 253 files under
// /usr/lib/python3/dist-packages/networkx/**/tests), run by pytest-xdist (`pytest -n 2
// --dist loadfile`, the reference) and by `ergate run --pytest -j 2 --order longest-first` in both
// start methods: forkserver with --preload auto (the learning run first, untimed; every timed run is a
// "second run") and spawn; beside them the fork floor (probes/pytest-fork-floor.py: the
// issue's prototype, one fork of a warm interpreter per file with ergate's learned preloads,
// nothing else) and the configured fork floor (probes/pytest-config-fork-floor.py: pytest also
// configured once, each fork only collects and runs its file, as ergate's warm pytest start
// does). Per-test outcomes compared id for id against xdist (xpassed counts as
// passed: pytest's JUnit cannot tell them apart); goal: forkserver + preload auto wall <=
// 0.9x xdist (medians). Writes bench/results/pytest-suite.{json,md}. Needs
// python3-networkx, python3-pytest and python3-pytest-xdist for /usr/bin/python3, and dist/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseXml } from '../src/script/junit-xml.ts';
import { testResultsOf } from '../src/script/test-results.ts';
import type { ScriptResult } from '../src/script/types.ts';
import { describeMachine, formatMachine } from './harness/machine.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'spawn-rounds': { type: 'string', default: '1' },
    suite: { type: 'string', default: '/usr/lib/python3/dist-packages/networkx' },
  },
});
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'ergate.js');
const FLOOR = path.join(ROOT, 'bench', 'probes', 'pytest-fork-floor.py');
const CONFIG_FLOOR = path.join(ROOT, 'bench', 'probes', 'pytest-config-fork-floor.py');
const PYTHON = '/usr/bin/python3';
const SUITE = path.resolve(values.suite);
const GOAL = 0.9;
const work = mkdtempSync(path.join(os.tmpdir(), 'ergate-pytest-bench-'));

type Outcomes = Map<string, string>;

interface ChildCpu {
  userMs: number;
  sysMs: number;
  faults: number;
}

/** CPU and page faults of every child this process has reaped so far (/proc/self/stat, 10 ms ticks). */
function reapedChildren(): ChildCpu {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // fields from the state on: cminflt, cmajflt, cutime, cstime are /proc's 11th, 13th, 16th, 17th
  return {
    userMs: Number(fields[13]) * 10,
    sysMs: Number(fields[14]) * 10,
    faults: Number(fields[8]) + Number(fields[10]),
  };
}

/** The last run's CPU per runner name, for the report. */
const cpu: Record<string, ChildCpu[]> = {};

function run(command: string, args: string[], name?: string): { ms: number; code: number | null; stdout: string } {
  const before = reapedChildren();
  const started = performance.now();
  const done = spawnSync(command, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const ms = Math.round(performance.now() - started);
  const after = reapedChildren();
  if (name !== undefined)
    (cpu[name] ??= []).push({
      userMs: after.userMs - before.userMs,
      sysMs: after.sysMs - before.sysMs,
      faults: after.faults - before.faults,
    });
  return { ms, code: done.status, stdout: done.stdout.toString() };
}

/** The files ergate runs, in its order, and the modules it would preload (before its probe). */
function ergatePlan(): { files: string[]; preload: string[] } {
  const listed = run(process.execPath, [
    BIN,
    'run',
    '--pytest',
    SUITE,
    '--list',
    '--start-method',
    'forkserver',
    '--preload',
    'auto',
    '--order',
    'longest-first',
  ]);
  const lines = listed.stdout.split('\n').filter(Boolean);
  const preload = lines.find((l) => l.startsWith('preload auto: '))?.slice('preload auto: '.length) ?? '';
  return {
    files: lines.filter((l) => !l.startsWith('preload auto: ')).map((l) => path.resolve(work, l)),
    preload: preload.split(', ').filter((m) => /^\w+$/.test(m)),
  };
}

/** The fork floor: one fork per file of an interpreter that imported the same modules first. */
function floor(
  plan: { files: string[]; preload: string[] },
  probe = FLOOR,
): { ms: number; exitCodes: Record<string, number> } {
  const done = run(
    PYTHON,
    [probe, '-j', '2', '--rootdir', SUITE, '--preload', plan.preload.join(','), ...plan.files],
    probe === FLOOR ? 'floor' : 'configFloor',
  );
  const report = JSON.parse(done.stdout.trim().split('\n').pop() ?? '{}') as { exitCodes?: Record<string, number> };
  return { ms: done.ms, exitCodes: report.exitCodes ?? {} };
}

/** xpassed reads as passed on both sides: JUnit from xdist cannot say otherwise. */
const outcome = (status: string): string => (status === 'xpassed' ? 'passed' : status);

function xdist(): { ms: number; outcomes: Outcomes } {
  const xml = path.join(work, 'xdist.xml');
  const { ms } = run(
    PYTHON,
    [
      '-m',
      'pytest',
      '-n',
      '2',
      '--dist',
      'loadfile',
      '-q',
      '-p',
      'no:cacheprovider',
      '-o',
      'junit_family=xunit1',
      `--junitxml=${xml}`,
      SUITE,
    ],
    'xdist',
  );
  const root = parseXml(readFileSync(xml, 'utf8'));
  const outcomes: Outcomes = new Map();
  for (const t of root ? testResultsOf(root).testCases : []) outcomes.set(t.id, outcome(t.status));
  return { ms, outcomes };
}

function ergate(method: 'spawn' | 'forkserver', timed = true): { ms: number; outcomes: Outcomes; files: number } {
  const json = path.join(work, `${method}.json`);
  // The second run uses what the first learned: the imports to preload, and each file's time.
  const preload = method === 'forkserver' ? ['--preload', 'auto'] : [];
  const { ms } = run(
    process.execPath,
    [
      BIN,
      'run',
      '--pytest',
      SUITE,
      '-j',
      '2',
      '--python',
      PYTHON,
      '--start-method',
      method,
      ...preload,
      '--timeout',
      '10m',
      '--no-progress',
      '-q',
      '--json',
      json,
    ],
    timed ? method : undefined,
  );
  const results = (JSON.parse(readFileSync(json, 'utf8')) as { results: ScriptResult[] }).results;
  const outcomes: Outcomes = new Map();
  for (const r of results) for (const t of r.testCases ?? []) outcomes.set(t.id, outcome(t.status));
  return { ms, outcomes, files: results.length };
}

function compare(reference: Outcomes, ours: Outcomes): { same: number; differ: string[] } {
  const differ: string[] = [];
  let same = 0;
  for (const id of new Set([...reference.keys(), ...ours.keys()])) {
    if (reference.get(id) === ours.get(id)) same++;
    else differ.push(`${id}: xdist ${reference.get(id) ?? 'absent'}, ergate ${ours.get(id) ?? 'absent'}`);
  }
  return { same, differ };
}

/** Each field's median over the runs. */
const medianCpu = (runs: ChildCpu[]): ChildCpu => ({
  userMs: median(runs.map((r) => r.userMs)),
  sysMs: median(runs.map((r) => r.sysMs)),
  faults: median(runs.map((r) => r.faults)),
});
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const rounds = Number(values.rounds);
const spawnRounds = Number(values['spawn-rounds']);
const times: Record<string, number[]> = { xdist: [], forkserver: [], floor: [], configFloor: [], spawn: [] };
const roundLoads: string[] = [];
const checks: Record<string, { same: number; differ: string[] }> = {};
let tests = 0;
let files = 0;
function writeReport(): void {
  const loads = [...roundLoads, load()];
  const ratio = (name: string): number => median(times[name]) / median(times.xdist);
  const machine = describeMachine(PYTHON);
  const report = {
    suite: SUITE,
    files,
    tests,
    python: PYTHON,
    rounds,
    spawnRounds,
    times,
    medians: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])),
    ratios: {
      forkserver: ratio('forkserver'),
      floor: ratio('floor'),
      configFloor: ratio('configFloor'),
      spawn: ratio('spawn'),
    },
    floorPreload: plan.preload,
    floorExitCodes,
    configFloorExitCodes,
    goal: { forkserverAtMost: GOAL, met: ratio('forkserver') <= GOAL },
    fidelity: Object.fromEntries(
      Object.entries(checks).map(([k, c]) => [
        k,
        { same: c.same, differ: c.differ.length, examples: c.differ.slice(0, 10) },
      ]),
    ),
    cpu: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, medianCpu(v)])),
    loadavg: loads,
    machine,
  };
  const out = path.join(ROOT, 'bench', 'results');
  writeFileSync(path.join(out, 'pytest-suite.json'), `${JSON.stringify(report, null, 2)}\n`);
  const outcomesCell = (name: string): string =>
    name === 'xdist'
      ? '-'
      : name === 'floor' || name === 'configFloor'
        ? `not compared (files by exit code: ${JSON.stringify(name === 'floor' ? floorExitCodes : configFloorExitCodes)})`
        : `${checks[name]?.same ?? 0} same, ${checks[name]?.differ.length ?? 0} differ`;
  const row = (name: string, label: string) =>
    `| ${label} | ${times[name].length} | ${(median(times[name]) / 1000).toFixed(1)} s | ${name === 'xdist' ? '1.00x (reference)' : `${ratio(name).toFixed(2)}x`} | ${outcomesCell(name)} |`;
  writeFileSync(
    path.join(out, 'pytest-suite.md'),
    [
      `# pytest suite: networkx's tests (${files} files, ${tests} tests), ergate against pytest-xdist`,
      '',
      `${formatMachine(machine)}; ${PYTHON} with Debian's pytest and pytest-xdist. Load average (1, 5, 15 min) at each round's start and at the end: ${loads.join(' / ')}.`,
      '',
      '| runner | rounds | median wall | ratio to xdist | per-test outcomes vs xdist |',
      '| --- | --- | --- | --- | --- |',
      row('xdist', '`pytest -n 2 --dist loadfile`'),
      row(
        'forkserver',
        '`ergate run --pytest -j 2 --start-method forkserver --preload auto --order longest-first` (second run)',
      ),
      row('floor', '`probes/pytest-fork-floor.py -j 2` (fork floor: same preloads, no supervision)'),
      row(
        'configFloor',
        '`probes/pytest-config-fork-floor.py -j 2` (configured fork floor: pytest also configured once)',
      ),
      row('spawn', '`ergate run --pytest -j 2 --order longest-first` (spawn)'),
      '',
      '| runner | median CPU, user | system | page faults | per file: CPU, faults |',
      '| --- | --- | --- | --- | --- |',
      ...Object.entries(cpu).map(([name, runs]) => {
        const c = medianCpu(runs);
        return `| ${name} | ${(c.userMs / 1000).toFixed(1)} s | ${(c.sysMs / 1000).toFixed(1)} s | ${c.faults} | ${((c.userMs + c.sysMs) / Math.max(1, files)).toFixed(0)} ms, ${Math.round(c.faults / Math.max(1, files))} |`;
      }),
      '',
      'CPU and faults are those of every process each runner started (its reaped children, from /proc/self/stat), medians over the rounds.',
      '',
      `The floor forks ${PYTHON} after importing ${plan.preload.join(', ')} (ergate's learned list) and calls pytest on one file per child, 2 at a time, in ergate's order; it is the issue's 25-line prototype, a floor for ergate's forkserver, not a peer. The configured fork floor also makes pytest's configuration once before forking and has each child only collect and run its file: what ergate's warm pytest start does, without supervision, results or reports.`,
      '',
      `Goal: forkserver with --preload auto <= ${GOAL}x xdist: ${report.goal.met ? 'met' : 'MISSED'} (${ratio('forkserver').toFixed(2)}x).`,
      ...Object.entries(checks).flatMap(([k, c]) =>
        c.differ.length ? ['', `${k} differs from xdist on:`, ...c.differ.slice(0, 10).map((d) => `- ${d}`)] : [],
      ),
      '',
    ].join('\n'),
  );
}

console.error(`learning run (forkserver, --preload auto), load ${load()}`);
ergate('forkserver', false);
const plan = ergatePlan();
let floorExitCodes: Record<string, number> = {};
let configFloorExitCodes: Record<string, number> = {};
for (let round = 0; round < rounds; round++) {
  roundLoads.push(load());
  const ref = xdist();
  tests = ref.outcomes.size;
  times.xdist.push(ref.ms);
  const fork = ergate('forkserver');
  files = fork.files;
  times.forkserver.push(fork.ms);
  checks.forkserver = compare(ref.outcomes, fork.outcomes);
  const floorRun = floor(plan);
  times.floor.push(floorRun.ms);
  floorExitCodes = floorRun.exitCodes;
  const configFloorRun = floor(plan, CONFIG_FLOOR);
  times.configFloor.push(configFloorRun.ms);
  configFloorExitCodes = configFloorRun.exitCodes;
  if (round < spawnRounds) {
    const spawn = ergate('spawn');
    times.spawn.push(spawn.ms);
    checks.spawn = compare(ref.outcomes, spawn.outcomes);
  }
  writeReport();
  console.error(
    `round ${round + 1}: xdist ${ref.ms} ms, forkserver ${fork.ms} ms, floor ${floorRun.ms} ms, configured floor ${configFloorRun.ms} ms, spawn ${times.spawn.at(-1)} ms; load ${load()}`,
  );
}
console.log(readFileSync(path.join(ROOT, 'bench', 'results', 'pytest-suite.md'), 'utf8'));
