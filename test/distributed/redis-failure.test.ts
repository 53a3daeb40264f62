// Redis failures are visible (issue 17, point 3), through the real CLI: Redis killed mid-run
// is logged once with the redacted URL, and after --redis-timeout the run ends with exit 1,
// the report written with what is known and the unfinished scripts named. A second SIGINT
// exits at once, after killing the local children.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  freePort,
  isAlive,
  startCli,
  startRedis,
  startWorker,
  waitUntil,
  type RedisServer,
  type WorkerProcess,
} from './cluster.ts';

let redis: RedisServer;
let base: string;
let worker: WorkerProcess | null = null;

beforeAll(async () => {
  redis = await startRedis();
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-redis-fail-'));
});

afterAll(async () => {
  if (worker && worker.child.exitCode === null) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  await redis?.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

it('Redis killed mid-run: logged once, the run ends within --redis-timeout with exit 1 and a full report', async () => {
  const root = path.join(base, 'root');
  const marks = path.join(base, 'marks');
  fs.mkdirSync(root);
  fs.mkdirSync(marks);
  fs.writeFileSync(path.join(root, 'a_quick.py'), 'print("quick")\n');
  for (const name of ['b_slow.py', 'c_slow.py']) {
    fs.writeFileSync(
      path.join(root, name),
      `import os, time\nopen(os.path.join(${JSON.stringify(marks)}, str(os.getpid())), "w").close()\ntime.sleep(60)\n`,
    );
  }
  worker = await startWorker(['--redis', redis.url, '--queue', 'fail', '-j', '2', '--root', root]);
  const json = path.join(base, 'report.json');
  const cli = startCli([
    'run',
    root,
    '--redis',
    redis.url,
    '--queue',
    'fail',
    '--root',
    root,
    '--redis-timeout',
    '3s',
    '--json',
    json,
    '--no-progress',
  ]);
  await waitUntil(
    () => fs.readdirSync(marks).length === 2 && cli.output().includes('a_quick.py'),
    'the quick script to finish and both slow ones to start',
  );

  await redis.stop();
  const killedAt = Date.now();
  const code = await cli.exited;
  const elapsed = Date.now() - killedAt;

  expect(code).toBe(1);
  expect(elapsed).toBeGreaterThanOrEqual(3_000);
  expect(elapsed).toBeLessThan(3_000 + 10_000);
  const output = cli.output();
  const display = `redis://127.0.0.1:${redis.port}/0`;
  expect(output.split(`lost the connection to redis at ${display}`)).toHaveLength(2);
  expect(output).toContain(`no answer from redis at ${display} for 3 s: ending the run`);
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as {
    total: number;
    passed: number;
    results: Array<{ name: string; status: string; error: string | null }>;
  };
  expect(report).toMatchObject({ total: 3, passed: 1 });
  const byName = new Map(report.results.map((r) => [r.name, r]));
  expect(byName.get('a_quick.py')).toMatchObject({ status: 'passed' });
  for (const name of ['b_slow.py', 'c_slow.py']) {
    expect(byName.get(name)).toMatchObject({ status: 'error' });
    expect(byName.get(name)!.error).toMatch(/^lost: no answer from redis at redis:\/\/127\.0\.0\.1:\d+\/0 for 3 s/);
  }
}, 90_000);

it('Redis not there at the start: one plain line and exit 1, never an internal error', async () => {
  const root = path.join(base, 'nobody-home');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'a.py'), 'print("never")\n');
  const url = `redis://127.0.0.1:${await freePort()}`; // nothing listens there
  const cli = startCli(['run', root, '--redis', url, '--root', root, '--redis-timeout', '2s', '--no-progress']);
  expect(await cli.exited).toBe(1);
  const output = cli.output();
  // The start-up wait is --redis-timeout's, not a fixed 10 s (issue 23, point 4).
  expect(output).toMatch(/^ergate: cannot reach redis at redis:\/\/127\.0\.0\.1:\d+\/0: no answer within 2000 ms$/m);
  expect(output).not.toContain('internal error');
}, 60_000);

it('an idle worker exits on SIGTERM within its grace period while Redis is down', async () => {
  const gone = await startRedis();
  const idle = await startWorker(['--redis', gone.url, '--queue', 'idle', '-j', '1', '--root', base, '--grace', '20s']);
  await gone.stop();
  await waitUntil(() => idle.output().includes('redis error'), 'the worker to notice Redis is gone');
  idle.child.kill('SIGTERM');
  const sentAt = Date.now();
  const late = setTimeout(() => idle.child.kill('SIGKILL'), 20_000);
  const code = await idle.exited;
  clearTimeout(late);
  expect(Date.now() - sentAt).toBeLessThan(20_000);
  expect(code).toBe(0);
  expect(isAlive(idle.pid)).toBe(false);
}, 60_000);

it('a second SIGINT exits at once, after killing the local children', async () => {
  const script = fileURLToPath(new URL('../fixtures/ignore_term.py', import.meta.url));
  const copies = ['one', 'two'].map((name) => {
    const file = path.join(base, `${name}_ignore_term.py`);
    fs.copyFileSync(script, file);
    return file;
  });
  const cli = startCli(['run', ...copies, '-j', '2', '--show-output', '--no-progress']);
  await waitUntil(() => (cli.output().match(/started \d+/g) ?? []).length === 2, 'both scripts to start');
  const pids = [...cli.output().matchAll(/started (\d+)/g)].map((m) => Number(m[1]));
  // The first SIGINT asks the scripts to stop; they ignore SIGTERM, so only the kill after
  // the grace period (2 s) would end them. The second one does not wait for it.
  cli.child.kill('SIGINT');
  // Two signals sent back to back may merge into one: the second goes after the first is seen.
  await waitUntil(
    () => cli.output().includes('SIGINT: stopping the run (SIGINT again to exit at once)'),
    'the first signal to be seen',
  );
  cli.child.kill('SIGINT');
  const sentAt = Date.now();
  const code = await cli.exited;
  expect(Date.now() - sentAt).toBeLessThan(1_500);
  expect(code).toBe(130);
  expect(cli.output()).toMatch(/SIGINT again: exiting now \(killed \d+ local processes\)/);
  for (const pid of pids) await waitUntil(() => !isAlive(pid), `script ${pid} to be gone`, 2_000);
}, 60_000);
