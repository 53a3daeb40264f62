// `npm run soak`: the long version of test/reliability, outside CI. Load (100,000 scripts in one
// run, resources sampled), floods (5 GiB on each stream at once; a slow onOutput), and repeated
// cancel storms in every runner. Prints one summary line per check, records them in
// bench/results/soak.md (soak-quick.md with --quick) and exits 1 if any failed.
// Options: --scripts N  --flood-mib M  --storms K  --workers W  --quick (small sizes, a minute)
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { AsyncParallelRunner, AsyncScheduler, ParallelRunner, currentSignal, runScript } from '../src/index.ts';
import { findDescendants, readProcess, readProcessTable } from '../src/script/proc-tree.ts';

const { values } = parseArgs({
  options: {
    scripts: { type: 'string' },
    'flood-mib': { type: 'string' },
    storms: { type: 'string' },
    workers: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const SCRIPTS = Number(values.scripts ?? (quick ? 5_000 : 100_000));
const FLOOD_MIB = Number(values['flood-mib'] ?? (quick ? 512 : 5 * 1024));
const STORMS = Number(values.storms ?? (quick ? 3 : 20));
const WORKERS = Number(values.workers ?? Math.max(2, os.availableParallelism()));
const PYTHON = '/usr/bin/python3';
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');
const MIB = 2 ** 20;

const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}: ${detail}`);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function soakLoad(dir: string): Promise<void> {
  const files = Array.from({ length: 100 }, (_, i) => {
    const file = path.join(dir, `s${i}.py`);
    writeFileSync(file, `print("s${i}")\n`);
    return file;
  });
  const runner = new ParallelRunner({ maxWorkers: WORKERS, python: PYTHON, startMethod: 'forkserver' });
  const samples: Array<{ rss: number; fds: number; kids: number }> = [];
  const timer = setInterval(
    () =>
      samples.push({
        rss: process.memoryUsage().rss / MIB,
        fds: readdirSync('/proc/self/fd').length,
        kids: findDescendants(process.pid).filter((p) => p.state !== 'Z').length,
      }),
    500,
  );
  const started = Date.now();
  // On the stream: each result is checked as it arrives and dropped, so RSS measures the runner.
  let passed = 0;
  let seen = 0;
  let wrongOutput = 0;
  for await (const r of runner.stream(Array.from({ length: SCRIPTS }, (_, i) => files[i % files.length]))) {
    seen += 1;
    if (r.status === 'passed') passed += 1;
    if (r.stdout !== `${path.basename(r.script, '.py')}\n`) wrongOutput += 1;
  }
  clearInterval(timer);
  const ms = Date.now() - started;
  await runner.close();
  check(
    `load: ${SCRIPTS} scripts (runner.stream)`,
    passed === SCRIPTS && seen === SCRIPTS && wrongOutput === 0,
    `passed ${passed}/${SCRIPTS}, wrong output ${wrongOutput}, ${ms} ms (${(ms / SCRIPTS).toFixed(2)} ms/script, ${WORKERS} workers)`,
  );
  const q = Math.max(1, Math.floor(samples.length / 4));
  const [q2, q4] = [samples.slice(q, 2 * q), samples.slice(-q)];
  const rss = [mean(q2.map((s) => s.rss)), mean(q4.map((s) => s.rss))];
  const fds = [mean(samples.slice(0, q).map((s) => s.fds)), mean(q4.map((s) => s.fds))];
  check(
    'load: RSS flat (2nd vs last quarter)',
    rss[1] < rss[0] + 100,
    `${rss[0].toFixed(0)} -> ${rss[1].toFixed(0)} MiB`,
  );
  check('load: fds flat (1st vs last quarter)', fds[1] < fds[0] + 20, `${fds[0].toFixed(1)} -> ${fds[1].toFixed(1)}`);
  check(
    'load: descendants bounded',
    Math.max(...samples.map((s) => s.kids)) <= 2 * WORKERS + 4,
    `max ${Math.max(...samples.map((s) => s.kids))}`,
  );
}

async function soakFlood(): Promise<void> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  const started = Date.now();
  const flood = await runScript(path.join(FIXTURES, 'flood_both.py'), {
    python: PYTHON,
    args: [String(FLOOD_MIB)],
    maxOutputBytes: 4 * MIB,
    timeoutMs: 3_600_000,
  });
  const ms = Date.now() - started;
  const growth = (peak - base) / MIB;
  check(
    `flood: ${FLOOD_MIB} MiB on each stream`,
    flood.status === 'passed' && growth < 400,
    `${flood.status}, ${ms} ms (${((2 * FLOOD_MIB) / 1024 / (ms / 1000)).toFixed(2)} GiB/s), RSS +${growth.toFixed(0)} MiB`,
  );
  peak = process.memoryUsage().rss;
  const slowBase = peak;
  let chars = 0;
  let calls = 0;
  const slowMib = Math.min(FLOOD_MIB, 512);
  const slow = await runScript(path.join(FIXTURES, 'flood_both.py'), {
    python: PYTHON,
    args: [String(slowMib)],
    maxOutputBytes: MIB,
    timeoutMs: 3_600_000,
    onOutput: (_s, chunk) => {
      chars += chunk.length;
      if (++calls % 4 === 0) {
        const until = performance.now() + 1;
        while (performance.now() < until);
      }
    },
  });
  clearInterval(timer);
  const slowGrowth = (peak - slowBase) / MIB;
  check(
    `flood: slow onOutput over ${slowMib} MiB x2`,
    slow.status === 'passed' && chars === 2 * slowMib * MIB && slowGrowth < 64,
    `${slow.status}, ${chars} chars seen, RSS +${slowGrowth.toFixed(0)} MiB`,
  );
}

async function soakStorms(dir: string): Promise<void> {
  let worst = 0;
  let failures = 0;
  for (let round = 0; round < STORMS; round++) {
    const pidDir = mkdtempSync(path.join(dir, 'storm-'));
    const runner = new ParallelRunner({ maxWorkers: WORKERS, python: PYTHON });
    const run = runner.runScripts(
      Array.from({ length: 1_000 }, () => path.join(FIXTURES, 'announce_tree.py')),
      { env: { PID_DIR: pidDir } },
    );
    await waitFor(() => readdirSync(pidDir).filter((f) => f.endsWith('.script')).length >= WORKERS, 60_000);
    const pids = readdirSync(pidDir).map((f) => parseInt(f, 10));
    const t0 = Date.now();
    runner.cancel();
    const result = await run;
    worst = Math.max(worst, Date.now() - t0);
    const gone = await waitFor(() => pids.every((pid) => readProcess(pid) === null), 15_000);
    const after = await runner.runScripts([path.join(FIXTURES, 'hello.py')]);
    await runner.close();

    const tasks = new AsyncParallelRunner({ maxConcurrency: 100 });
    let started = 0;
    const taskRun = tasks.run(
      Array.from(
        { length: 10_000 },
        (_, i) =>
          [
            `t${i}`,
            () => {
              started++;
              const signal = currentSignal()!;
              return i % 3 === 0
                ? new Promise(() => {})
                : new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
            },
          ] as const,
      ),
    );
    await waitFor(() => started >= 100, 10_000);
    tasks.cancel();
    const taskResult = await taskRun;

    const scheduler = new AsyncScheduler({ maxConcurrency: 50 });
    const ids = Array.from({ length: 10_000 }, () =>
      scheduler.schedule(
        () => new Promise((_, reject) => currentSignal()!.addEventListener('abort', () => reject(new Error('x')))),
      ),
    );
    const all = scheduler.runAll();
    await waitFor(() => scheduler.runningCount === 50, 10_000);
    for (const id of ids) scheduler.cancel(id);
    const jobs = await all;
    const ok =
      result.skipped === 1_000 &&
      gone &&
      after.passed === 1 &&
      taskResult.cancelled === 10_000 &&
      [...jobs.values()].every((j) => j.status === 'cancelled');
    if (!ok) failures++;
    rmSync(pidDir, { recursive: true, force: true });
  }
  check(
    `cancel storms: ${STORMS} rounds (1,000 scripts, 10,000 tasks, 10,000 jobs each)`,
    failures === 0,
    `${failures} failed rounds, slowest ParallelRunner cancel ${worst} ms`,
  );
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-soak-'));
const zombiesUnderInit = (): number[] =>
  readProcessTable()
    .filter((p) => p.ppid === 1 && p.state === 'Z')
    .map((p) => p.pid);
const initZombiesBefore = new Set(zombiesUnderInit());
try {
  console.log(`soak: ${SCRIPTS} scripts, ${FLOOD_MIB} MiB floods, ${STORMS} storms, ${WORKERS} workers`);
  await soakLoad(dir);
  await soakFlood();
  await soakStorms(dir);
  await waitFor(() => findDescendants(process.pid).every((p) => p.state !== 'Z' || /esbuild/.test(p.comm)), 10_000);
  const zombies = findDescendants(process.pid).filter((p) => p.state === 'Z').length;
  const newInit = zombiesUnderInit().filter((pid) => !initZombiesBefore.has(pid)).length;
  check(
    'zombies at the end',
    true,
    `${zombies} under this process (esbuild of tsx threads included), ${newInit} new under pid 1 (any owner)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const failed = checks.filter((c) => !c.ok);
console.log(`\nsoak: ${checks.length - failed.length}/${checks.length} checks passed`);
const record = [
  `# npm run soak${quick ? ' -- --quick' : ''}`,
  '',
  `${new Date().toISOString()}; ${os.availableParallelism()} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end; Node ${process.version}; ${PYTHON}`,
  '',
  ...checks.map((c) => `- ${c.ok ? 'ok' : 'FAIL'} ${c.name}: ${c.detail}`),
];
writeFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', `soak${quick ? '-quick' : ''}.md`),
  `${record.join('\n')}\n`,
);
process.exit(failed.length === 0 ? 0 : 1);
