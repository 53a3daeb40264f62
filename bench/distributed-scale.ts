// Distributed at scale (issue 17, point 4): N trivial scripts through `ergate run --redis
// --json` with 3 local `ergate worker`s (-j 2) on a loopback redis-server; one worker is
// SIGKILLed halfway. Measures jobs/s, the coordinator's RSS over the run, Redis commands per
// job (INFO commandstats) and checks every script is reported exactly once, passed.
// Usage: node --import tsx bench/distributed-scale.ts 2000:spawn 2000 20000 100000
//   (N, or N:spawn for workers that start a fresh python per job; the default is
//   --start-method forkserver; writes bench/results/distributed-scale.*; --keep keeps the
//   last results' rows for sizes not measured this time)
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort, startChild } from './harness/children.ts';
import { commandStats, totalCalls } from './harness/redis-stats.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(REPO, 'src/cli/main.ts');
const PYTHON = '/usr/bin/python3';

const ENV = { ...process.env, ERGATE_PYTHON: PYTHON };
const start = (command: string, args: string[], ready: RegExp | null): Promise<ChildProcess> =>
  startChild(command, args, ready, ENV);

function rssMiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

type StartMethod = 'spawn' | 'forkserver';

interface ScaleResult {
  n: number;
  date: string;
  startMethod: StartMethod;
  jobsPerS: number;
  load: string;
  wallS: number;
  exitCode: number | null;
  reported: number;
  unique: number;
  passed: number;
  commandsPerJob: number;
  rssMiB: { at10: number; at50: number; at90: number; peak: number };
  killedWorkerAt: number;
}

const loadNow = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function runOnce(n: number, startMethod: StartMethod, base: string): Promise<ScaleResult> {
  const root = path.join(base, `n${n}`);
  fs.mkdirSync(root, { recursive: true });
  for (let i = 0; i < n; i++)
    fs.writeFileSync(path.join(root, `job_${String(i).padStart(6, '0')}.py`), `print(${i})\n`);
  const port = await freePort();
  const redisServer = await start(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', base, '--save', '', '--appendonly', 'no'],
    /Ready to accept/,
  );
  const url = `redis://127.0.0.1:${port}`;
  const redis = new Redis(port, '127.0.0.1');
  const workerArgs = [
    '--import',
    'tsx',
    CLI,
    'worker',
    '--redis',
    url,
    '-j',
    '2',
    '--root',
    root,
    '--lock-duration',
    '5s',
    '--stalled-interval',
    '5s',
    '--start-method',
    startMethod,
  ];
  const workers = await Promise.all([1, 2, 3].map(() => start(process.execPath, workerArgs, /^ready /m)));
  await redis.config('RESETSTAT');
  const loadBefore = loadNow();
  const json = path.join(base, `n${n}.json`);
  const started = Date.now();
  const cli = await start(
    process.execPath,
    ['--import', 'tsx', CLI, 'run', root, '--redis', url, '--root', root, '--json', json, '-q'],
    null,
  );
  cli.stdout?.resume();
  const samples: Array<{ done: number; rss: number }> = [];
  let killedWorkerAt = -1;
  const timer = setInterval(() => {
    void redis.zcard('bull:ergate:completed').then(
      (done) => {
        const rss = rssMiB(cli.pid!);
        if (rss !== null) samples.push({ done, rss });
        if (killedWorkerAt < 0 && done >= n / 2) {
          killedWorkerAt = done;
          workers[0].kill('SIGKILL');
        }
      },
      () => undefined,
    );
  }, 250);
  const exitCode = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
  clearInterval(timer);
  const wallS = (Date.now() - started) / 1000;
  const perJob = totalCalls(await commandStats(redis)) / n;
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as {
    results: Array<{ name: string; status: string; stdout: string }>;
  };
  const names = new Set(report.results.map((r) => r.name));
  const at = (fraction: number): number => samples.find((s) => s.done >= n * fraction)?.rss ?? NaN;
  for (const w of workers.slice(1)) w.kill('SIGTERM');
  await Promise.all(
    workers.slice(1).map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))),
  );
  redis.disconnect();
  redisServer.kill('SIGKILL');
  fs.rmSync(root, { recursive: true, force: true });
  return {
    n,
    date: new Date().toISOString(),
    startMethod,
    jobsPerS: Math.round(n / wallS),
    load: `${loadBefore} -> ${loadNow()}`,
    wallS,
    exitCode,
    reported: report.results.length,
    unique: names.size,
    passed: report.results.filter((r) => r.status === 'passed' && r.stdout === `${Number(/(\d+)/.exec(r.name)![1])}\n`)
      .length,
    commandsPerJob: Math.round(perJob * 10) / 10,
    rssMiB: {
      at10: Math.round(at(0.1)),
      at50: Math.round(at(0.5)),
      at90: Math.round(at(0.9)),
      peak: Math.round(Math.max(...samples.map((s) => s.rss))),
    },
    killedWorkerAt,
  };
}

// --keep: rows of the last results for sizes not measured now stay in the files.
const keep = process.argv.includes('--keep');
const runs = process.argv
  .slice(2)
  .filter((arg) => arg !== '--keep')
  .map((arg): { n: number; startMethod: StartMethod } => {
    const [n, method] = arg.split(':');
    return { n: Number(n), startMethod: method === 'spawn' ? 'spawn' : 'forkserver' };
  });
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-dscale-'));
const results: ScaleResult[] = [];
if (runs.length === 0) runs.push({ n: 2_000, startMethod: 'forkserver' });
try {
  for (const { n, startMethod } of runs) {
    const result = await runOnce(n, startMethod, base);
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${execFileSync(PYTHON, ['--version']).toString().trim()} (${PYTHON}); machine shared with other work: load average (1 min) at each run's start -> end in the table`;
const out = path.join(REPO, 'bench/results');
if (keep) {
  const last = JSON.parse(fs.readFileSync(path.join(out, 'distributed-scale.json'), 'utf8')) as {
    results: ScaleResult[];
  };
  const measured = (r: ScaleResult): boolean =>
    results.some((now) => now.n === r.n && now.startMethod === r.startMethod);
  results.unshift(...last.results.filter((r) => !measured(r)));
}
fs.writeFileSync(
  path.join(out, 'distributed-scale.json'),
  `${JSON.stringify({ machine, date: new Date().toISOString(), results }, null, 2)}\n`,
);
const rows = results.map(
  (r) =>
    `| ${r.n} | ${r.startMethod} | ${r.wallS.toFixed(0)} s | ${r.jobsPerS} | ${r.load} | ${r.exitCode} | ${r.reported} / ${r.unique} unique / ${r.passed} passed | ${r.commandsPerJob} | ${r.rssMiB.at10} / ${r.rssMiB.at50} / ${r.rssMiB.at90} (peak ${r.rssMiB.peak}) | at ${r.killedWorkerAt} done |`,
);
fs.writeFileSync(
  path.join(out, 'distributed-scale.md'),
  `# Distributed at scale: \`ergate run --redis --json\`, 3 local workers (-j 2), one SIGKILLed halfway

${machine}

| jobs | worker start method | wall | jobs/s | load | exit | results (reported / unique / passed with their own output) | Redis commands per job | coordinator RSS MiB at 10% / 50% / 90% done | worker SIGKILLed |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`,
);
