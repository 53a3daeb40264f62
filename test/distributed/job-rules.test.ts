// The Redis queue is a trust boundary (issue 14): real `ergate worker` processes refuse jobs
// that leave --root by a symbolic link, run unregistered function modules, set variables the
// worker does not allow (default deny), exceed the caps or carry a NUL byte; each is that job's 'error' naming the
// rule, and the worker goes on. Jobs are put straight on the queue (hand-made payloads) and
// sent through the public API. The worker's ERGATE_REDIS_* never reaches a job.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParallelRunner, runRemoteFunction } from '../../src/index.ts';
import { writeByteNamedScript } from '../parallel/helpers.ts';
import { PYTHON, startRedis, startWorker, stopWorker, type RedisServer, type WorkerProcess } from './cluster.ts';

const PASSWORD = 'rules-Pw-5521';
let redis: RedisServer;
let base: string;
let root: string;
let outside: string;
const workers: WorkerProcess[] = [];
const queues = new Map<string, Queue>();

const SHOW_ENV = `import os, sys
print("cwd", os.getcwd())
for k in sorted(os.environ): print("env", k)
print("argv", sys.argv[1:])
`;

/** A complete script job as the coordinator would send it, with `overrides`. */
function scriptJob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    runId: 'hand',
    index: 0,
    script: 'show_env.py',
    args: [],
    cwd: null,
    env: {},
    inheritEnv: true,
    envAllowList: [],
    timeoutMs: 5_000,
    allowedExitCodes: [0],
    memoryLimitMb: null,
    cpuTimeLimitS: null,
    maxOutputBytes: 65_536,
    killGraceMs: 1_000,
    ...overrides,
  };
}

function connect(name: string): Queue {
  if (!queues.has(name))
    queues.set(name, new Queue(name, { connection: { host: '127.0.0.1', port: redis.port, password: PASSWORD } }));
  return queues.get(name)!;
}

/** Puts a hand-made job on the queue (BullMQ's own add) and resolves with the worker's return value. */
async function direct(
  name: string,
  jobName: string,
  data: Record<string, unknown>,
): Promise<{ status: string; error: string | null; stdout?: string; result?: unknown }> {
  const queue = connect(name);
  const { id } = await queue.add(jobName, data);
  const deadline = Date.now() + 30_000;
  while ((await queue.getJobState(id!)) !== 'completed') {
    if (Date.now() > deadline) throw new Error(`job ${id} did not complete`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return (await queue.getJob(id!))!.returnvalue as { status: string; error: string | null };
}

const backend = (queue: string) => ({ redis: `redis://:${PASSWORD}@127.0.0.1:${redis.port}`, queue, root });

beforeAll(async () => {
  redis = await startRedis(['--requirepass', PASSWORD]);
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-rules-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  for (const dir of [root, outside, path.join(root, 'fns/node_modules/pkg'), path.join(root, 'other')])
    fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(root, 'show_env.py'), SHOW_ENV);
  fs.writeFileSync(
    path.join(outside, 'evil.py'),
    `open(${JSON.stringify(path.join(base, 'evil-ran'))}, "w").close()\n`,
  );
  fs.writeFileSync(path.join(outside, 'sitecustomize.py'), 'print("SITECUSTOMIZE RAN")\n');
  fs.writeFileSync(path.join(outside, 'mod.mjs'), 'export function add(a, b) { return a + b; }\n');
  fs.symlinkSync(path.join(outside, 'evil.py'), path.join(root, 'link_out.py'));
  fs.symlinkSync(outside, path.join(root, 'linkdir'));
  for (const dir of ['fns', 'other', 'fns/node_modules/pkg'])
    fs.writeFileSync(path.join(root, dir, 'mod.mjs'), 'export function add(a, b) { return a + b; }\n');
  fs.symlinkSync(path.join(outside, 'mod.mjs'), path.join(root, 'fns/link.mjs'));
  const env = {
    ERGATE_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    ERGATE_REDIS_PASSWORD: PASSWORD,
    ERGATE_REDIS_EXTRA: 'x',
  };
  workers.push(
    await startWorker(
      [
        '--queue',
        'rules',
        '-j',
        '2',
        '--root',
        root,
        '--functions',
        path.join(root, 'fns'),
        '--max-timeout',
        '10s',
        '--max-output',
        '10MiB',
        '--allow-env',
        'ONLY',
      ],
      env,
    ),
  );
  workers.push(
    await startWorker(
      ['--queue', 'open', '-j', '1', '--root', root, '--allow-env', 'PYTHONPATH', '--allow-env', 'APP_*'],
      env,
    ),
  );
});

afterAll(async () => {
  for (const queue of queues.values()) await queue.close();
  for (const w of workers) await stopWorker(w);
  await redis?.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

describe('paths: realpath inside --root', () => {
  it('refuses a script or cwd that leads outside by a symbolic link; the script never runs', async () => {
    const script = await direct('rules', 'script', scriptJob({ script: 'link_out.py' }));
    expect(script).toMatchObject({ status: 'error' });
    expect(script.error).toMatch(/the job's script "link_out\.py" leads outside the root .* \(to .*evil\.py\)/);
    const cwd = await direct('rules', 'script', scriptJob({ cwd: 'linkdir' }));
    expect(cwd.error).toMatch(/the job's cwd "linkdir" leads outside the root/);
    expect((await direct('rules', 'script', scriptJob({ script: '../outside/evil.py' }))).error).toMatch(
      /is outside the root/,
    );
    expect(fs.existsSync(path.join(base, 'evil-ran'))).toBe(false);
  });

  it('runs a script whose file name is not valid UTF-8, and refuses such a link leading outside', async () => {
    const file = writeByteNamedScript(root);
    const result = await direct('rules', 'script', scriptJob({ script: 'caf\uDCE9_test.py' }));
    expect(result).toMatchObject({ status: 'passed', error: null });
    expect(result.stdout).toBe(`${file.toString('hex')} ${file.toString('hex')}\n`);
    fs.symlinkSync(path.join(outside, 'evil.py'), Buffer.from(`${root}/out\xff.py`, 'latin1'));
    const link = await direct('rules', 'script', scriptJob({ script: 'out\uDCFF.py' }));
    expect(link.error).toMatch(/the job's script "out\\udcff\.py" leads outside the root .* \(to .*evil\.py\)/);
    expect(fs.existsSync(path.join(base, 'evil-ran'))).toBe(false);
  });
});

describe("scripts: only what the worker's own discovery selects (issue 23, point 6)", () => {
  it('refuses virtualenvs, site-packages, node_modules, hidden folders, __pycache__, other patterns and non-files', async () => {
    const ran = path.join(base, 'discovery-ran');
    fs.mkdirSync(ran);
    const cases: Array<[string, RegExp]> = [
      ['.venv/bin/pip', /it lies in a hidden folder \(\.venv\)/],
      ['env/bin/tool.py', /it lies in a virtualenv \(env holds pyvenv\.cfg\)/],
      ['lib/python3.11/site-packages/mod.py', /it lies under site-packages/],
      ['node_modules/pkg/x.py', /it lies under node_modules/],
      ['__pycache__/x.py', /it lies under __pycache__/],
      ['.hidden/x.py', /it lies in a hidden folder \(\.hidden\)/],
      ['pkg/__init__.py', /__init__\.py is a package file/],
      ['tool.sh', /it does not match --pattern \*\*\/\*\.py/],
      ['fifo.py', /it is not a regular file/],
    ];
    for (const [script] of cases) {
      const file = path.join(root, script);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (script === 'fifo.py') spawnSync('mkfifo', [file]);
      else fs.writeFileSync(file, `open(${JSON.stringify(path.join(ran, script.replace(/\//g, '_')))}, "w").close()\n`);
    }
    fs.writeFileSync(path.join(root, 'env/pyvenv.cfg'), 'home = /usr/bin\n');
    for (const [script, why] of cases) {
      const result = await direct(
        'rules',
        'script',
        scriptJob({ script, args: ['install', 'https://example.invalid/x'] }),
      );
      expect(result.status).toBe('error');
      expect(result.error).toContain(
        `refused: the job's script ${JSON.stringify(script)} is not one this worker's discovery selects: `,
      );
      expect(result.error).toMatch(why);
    }
    expect(fs.readdirSync(ran)).toEqual([]);
    expect(await direct('rules', 'script', scriptJob())).toMatchObject({ status: 'passed' });
  });
});

describe('environment', () => {
  it('default deny: refuses every variable the worker does not allow, naming it and the flag', async () => {
    // Each of these let a job's setter run code of their choice (issue 14 and issue 23, point 5).
    for (const name of [
      'PYTHONPATH',
      'PYTHONSTARTUP',
      'PYTHONHOME',
      'LD_PRELOAD',
      'LD_LIBRARY_PATH',
      'DYLD_INSERT_LIBRARIES',
      'NODE_OPTIONS',
      'NODE_PATH',
      'BASH_ENV',
      'ENV',
      'GIT_CONFIG_COUNT',
      'GIT_CONFIG_KEY_0',
      'GIT_SSH_COMMAND',
      'BASH_FUNC_git%%',
      'SHELLOPTS',
      'PS4',
      'PERL5OPT',
      'OPENSSL_CONF',
      'HOME',
      'PATH',
      'FOO',
    ]) {
      const result = await direct('rules', 'script', scriptJob({ env: { [name]: outside } }));
      expect(result.status).toBe('error');
      expect(result.error).toBe(
        `refused: the job sets ${name}, which this worker passes only when started with --allow-env ${name}`,
      );
    }
    const ok = await direct(
      'rules',
      'script',
      scriptJob({
        env: {
          PYTHONUNBUFFERED: '1',
          PYTHONHASHSEED: '0',
          PYTHONIOENCODING: 'utf-8',
          PYTHONUTF8: '1',
          PYTHONDONTWRITEBYTECODE: '1',
          PYTHONFAULTHANDLER: '1',
          NO_COLOR: '1',
          FORCE_COLOR: '1',
          ONLY: 'named by --allow-env',
        },
      }),
    );
    expect(ok).toMatchObject({ status: 'passed' });
    expect(ok.stdout).toContain('env ONLY');
  });

  it('--allow-env PREFIX_* lets a job set the names with that prefix, and no others', async () => {
    const ok = await direct('open', 'script', scriptJob({ env: { APP_MODE: 'x', APP_: 'y' } }));
    expect(ok).toMatchObject({ status: 'passed' });
    expect(ok.stdout).toContain('env APP_MODE');
    expect((await direct('open', 'script', scriptJob({ env: { APPMODE: 'x' } }))).error).toBe(
      'refused: the job sets APPMODE, which this worker passes only when started with --allow-env APPMODE',
    );
  });

  it("the coordinator refuses before queueing what the queue's workers would refuse", async () => {
    await using runner = new ParallelRunner({ python: PYTHON, defaultTimeoutMs: 5_000, backend: backend('rules') });
    const queue = connect('rules');
    const before = await queue.getJobCountByTypes('completed', 'failed', 'waiting', 'active');
    const result = await runner.runScripts([path.join(root, 'show_env.py')], { env: { GIT_SSH_COMMAND: 'touch x' } });
    expect(result.results[0]).toMatchObject({
      status: 'error',
      error:
        'refused before queueing: the job sets GIT_SSH_COMMAND, which no worker on queue rules passes; start them with --allow-env GIT_SSH_COMMAND',
    });
    expect(await queue.getJobCountByTypes('completed', 'failed', 'waiting', 'active')).toBe(before);
  });

  it('through the public API: PYTHONPATH is refused, or runs sitecustomize where --allow-env names it', async () => {
    const script = path.join(root, 'show_env.py');
    await using strict = new ParallelRunner({ python: PYTHON, defaultTimeoutMs: 5_000, backend: backend('rules') });
    const refused = await strict.runScripts([script], { env: { PYTHONPATH: outside } });
    expect(refused.results[0]).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/sets PYTHONPATH.*--allow-env PYTHONPATH/) as unknown,
    });
    await using open = new ParallelRunner({ python: PYTHON, backend: backend('open') });
    const allowed = await open.runScripts([script], { env: { PYTHONPATH: outside } });
    expect(allowed.results[0]).toMatchObject({ status: 'passed' });
    expect(allowed.results[0].stdout).toContain('SITECUSTOMIZE RAN');
  });

  it("never passes the worker's ERGATE_REDIS_* to a job; inheritEnv: false travels with the job", async () => {
    await using runner = new ParallelRunner({ python: PYTHON, defaultTimeoutMs: 5_000, backend: backend('rules') });
    const script = path.join(root, 'show_env.py');
    const inherited = await runner.runScripts([script]);
    expect(inherited.results[0].status).toBe('passed');
    expect(inherited.results[0].stdout).toContain('env HOME');
    expect(inherited.results[0].stdout).not.toMatch(/env ERGATE_REDIS/);
    const bare = await runner.runScripts([script], {
      inheritEnv: false,
      envAllowList: ['PATH', 'ERGATE_REDIS_PASSWORD'],
      env: { ONLY: '1' },
    });
    expect(bare.results[0].status).toBe('passed');
    // LC_CTYPE is Python's own (PEP 538 locale coercion), set in the child itself;
    // ERGATE_JUNIT_XML is ergate's own, where a child may write its test results.
    const names = bare.results[0].stdout
      .split('\n')
      .filter((l) => l.startsWith('env ') && l !== 'env LC_CTYPE' && l !== 'env ERGATE_JUNIT_XML')
      .map((l) => l.slice(4));
    expect(names.sort()).toEqual(['ONLY', 'PATH', 'PYTHONUNBUFFERED']);
  });
});

describe('caps: --max-timeout and --max-output', () => {
  it('refuses a job asking for a longer timeout, no timeout or more output, naming the cap', async () => {
    expect((await direct('rules', 'script', scriptJob({ timeoutMs: 20_000 }))).error).toBe(
      "refused: the job asks for a timeout of 20000 ms, above this worker's --max-timeout of 10000 ms",
    );
    expect((await direct('rules', 'script', scriptJob({ timeoutMs: null }))).error).toBe(
      "refused: the job asks for no timeout; this worker's --max-timeout of 10000 ms applies to every job",
    );
    expect((await direct('rules', 'script', scriptJob({ maxOutputBytes: 20 * 1024 * 1024 }))).error).toBe(
      "refused: the job asks for 20971520 bytes of output, above this worker's --max-output of 10485760 bytes",
    );
    expect((await direct('rules', 'script', scriptJob({ killGraceMs: 3_600_000 }))).error).toMatch(
      /kill grace of 3600000 ms, above the workers' cap/,
    );
    await using runner = new ParallelRunner({ python: PYTHON, backend: backend('rules') });
    const result = await runner.runScripts([path.join(root, 'show_env.py')], { timeoutMs: 60_000 });
    expect(result.results[0]).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/--max-timeout of 10000 ms/) as unknown,
    });
  });
});

describe('function jobs: only modules in a --functions folder', () => {
  it('runs a registered module; refuses others, node_modules and links out', async () => {
    const call = (module: string) =>
      direct('rules', 'function', {
        runId: 'f',
        index: 0,
        module,
        export: 'add',
        args: [2, 3],
        timeoutMs: 5_000,
        memoryLimitMb: null,
        name: null,
      });
    expect(await call('fns/mod.mjs')).toMatchObject({ status: 'passed', result: 5 });
    expect((await call('other/mod.mjs')).error).toMatch(
      /refused: the job's module "other\/mod\.mjs" is not inside a --functions folder/,
    );
    expect((await call('fns/node_modules/pkg/mod.mjs')).error).toMatch(/is inside node_modules/);
    expect((await call('fns/link.mjs')).error).toMatch(/leads outside the root/);
    expect(
      (
        await direct('rules', 'function', {
          runId: 'f',
          index: 0,
          module: 'fns/mod.mjs',
          export: 'add',
          args: [],
          timeoutMs: 60_000,
          memoryLimitMb: null,
          name: null,
        })
      ).error,
    ).toMatch(/--max-timeout of 10000 ms/);
  });

  it('a worker without --functions refuses function jobs, naming the flag (public API too)', async () => {
    const result = await runRemoteFunction(
      { module: path.join(root, 'fns/mod.mjs'), export: 'add' },
      { args: [1, 2] },
      backend('open'),
    );
    expect(result).toMatchObject({
      status: 'error',
      error: 'refused: this worker runs no function jobs; start it with --functions DIR to allow the modules in DIR',
    });
  });
});

describe('NUL bytes', () => {
  it("is that job's error, and never breaks the worker (more jobs than the crash-loop limit)", async () => {
    const bad = [
      scriptJob({ args: ['a\0b'] }),
      scriptJob({ env: { A: 'x\0y' } }),
      scriptJob({ env: { 'A\0B': 'x' } }),
      scriptJob({ script: 'show\0env.py' }),
      scriptJob({ cwd: 'x\0' }),
      scriptJob({ envAllowList: ['P\0'] }),
      scriptJob({ args: ['\0'] }),
    ];
    const results = await Promise.all(bad.map((data) => direct('rules', 'script', data)));
    for (const result of results)
      expect(result).toMatchObject({ status: 'error', error: expect.stringMatching(/contains a NUL byte/) as unknown });
    expect(results[0].error).toBe("the job's args[0] contains a NUL byte");
    expect(await direct('rules', 'script', scriptJob())).toMatchObject({ status: 'passed' });
  });
});

describe('malformed queue entries (issue 23, point 3)', () => {
  it("data null, or data that is not JSON, is that job's error at once; the worker goes on", async () => {
    const nothing = await direct('rules', 'script', null as unknown as Record<string, unknown>);
    expect(nothing).toMatchObject({ status: 'error', error: "the job's data is not an object (got null)" });
    // Not JSON: written under BullMQ's feet while the job waits (delayed), then released.
    const queue = connect('rules');
    const job = await queue.add('script', scriptJob(), { delay: 600_000 });
    const client = await queue.client;
    await client.hset(queue.toKey(job.id!), { data: '{not json' });
    await job.promote();
    const deadline = Date.now() + 30_000;
    while ((await queue.getJobState(job.id!)) !== 'completed') {
      if (Date.now() > deadline) throw new Error('the job whose data is not JSON never completed');
      await new Promise((r) => setTimeout(r, 20));
    }
    // BullMQ's getJob would parse the data again: the return value is read as stored.
    const garbled = JSON.parse((await client.hget(queue.toKey(job.id!), 'returnvalue'))!) as {
      status: string;
      error: string;
    };
    expect(garbled.status).toBe('error');
    expect(garbled.error).toMatch(/^the job's data is not JSON \(/);
    expect(await direct('rules', 'script', scriptJob())).toMatchObject({ status: 'passed' });
  });
});
