// bullmq and ioredis are loaded only when a distributed feature is used: not by the CLI's
// start (`ergate run`, `--help`), nor by `import 'ergate'`; `ergate worker` and a runner with
// a backend load them on first use. The runners and the scheduler load no module of
// src/distributed before then (their backend checks live in src/seam/). The help lists the worker command and its flags.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO } from './cluster.ts';

const run = promisify(execFile);
const PROBE = path.join(REPO, 'test/distributed/fixtures/loaded-modules.mts');

interface Loaded {
  /** files of bullmq and ioredis */
  loaded: number;
  /** file names under src/distributed */
  distributed: string[];
}

async function probe(module: string): Promise<Loaded> {
  const target = module.startsWith('src/') ? path.join(REPO, module) : module;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', PROBE, target], { cwd: REPO });
  return JSON.parse(stdout) as Loaded;
}

async function loadedBy(module: string): Promise<number> {
  return (await probe(module)).loaded;
}

it('the CLI and the package entry do not load bullmq (a plain import of it does)', async () => {
  expect(await loadedBy('src/cli/main.ts')).toBe(0);
  expect(await loadedBy('src/index.ts')).toBe(0);
  // The probe can see it: a module that needs bullmq at once shows it.
  expect(await loadedBy('bullmq')).toBeGreaterThan(0);
}, 60_000);

it('the runners and the scheduler load nothing of src/distributed until a backend is used', async () => {
  // The backend's option checks (schedule-time TypeErrors) live in src/seam/; the Redis side
  // comes only through loadBackend()'s import() on first use.
  for (const module of ['src/scheduler/async-scheduler.ts', 'src/parallel/parallel-runner.ts']) {
    expect(await probe(module)).toEqual({ loaded: 0, distributed: [] });
  }
  // The probe sees src/distributed when it is loaded.
  expect((await probe('src/distributed/remote-factory.ts')).distributed).toContain('redis-backend.ts');
}, 60_000);

it('--help names the worker command; worker --help lists its flags with their defaults', async () => {
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), ...args], { cwd: REPO });
  expect((await cli(['--help'])).stdout).toContain('ergate worker');
  const { stdout } = await cli(['worker', '--help']);
  expect(stdout).toContain('ergate worker --redis URL');
  const flags = [
    '--queue NAME',
    '--root DIR',
    '--lock-duration T',
    '--stalled-interval T',
    '--grace T',
    '--functions DIR',
    '--allow-env NAMES',
  ];
  for (const flag of flags) expect(stdout).toContain(flag);
  expect(stdout).toContain('--max-timeout T       refuse jobs asking for a longer timeout (default: 1h)');
  expect(stdout).toContain('--max-output SIZE     refuse jobs asking for more output per stream (default: 10MiB)');
}, 60_000);
