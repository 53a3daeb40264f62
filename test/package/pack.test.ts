// The package as users get it: one `npm pack` (prepack builds dist/), the tarball installed
// into an empty folder outside the repository with `npm ci --offline` (no tsx, no dev
// dependency on the resolution path), and there: every public entry point, `require` of
// 'ergate', the `ergate` bin (JUnit of two same-named scripts), the shipped types under a
// strict tsc with skipLibCheck off and bullmq absent, no source maps, a LICENSE, and `--redis`
// saying what to install. Plus loading straight from the TypeScript sources under tsx.
// The install needs no network and no registry metadata in npm's cache (a fresh `npm ci` caches
// tarballs only): the app's lockfile pins the tarball and the repo's locked production dependencies.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const HELLO = path.join(ROOT, 'test', 'fixtures', 'hello.py');

interface LockEntry {
  dev?: boolean;
  [field: string]: unknown;
}
interface Manifest {
  version: string;
  license: string;
  dependencies: Record<string, string>;
  bin: unknown;
  engines: unknown;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
}

/** Writes app/package.json and a package-lock.json that depends on the tarball, whose dependencies
 *  are locked exactly as in the repo's own lockfile (its non-dev entries), so `npm ci` resolves nothing. */
function writeAppLockedToTarball(app: string, tarball: string): void {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const repoLock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { ergate: spec } },
    'node_modules/ergate': {
      version: manifest.version,
      resolved: spec,
      integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
    },
  };
  for (const [key, entry] of Object.entries(repoLock.packages))
    if (key !== '' && entry.dev !== true) packages[key] = entry;
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { ergate: spec } }),
  );
  writeFileSync(
    path.join(app, 'package-lock.json'),
    JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }),
  );
}

const TYPES_PROBE = `import {
  runScript, runFunction, wrapModule, ParallelRunner, BatchRunner, AsyncParallelRunner, AsyncScheduler,
  type ScriptResult, type ScriptStatus, type FunctionResult,
} from 'ergate';
const status: ScriptStatus = 'passed';
const result: Promise<ScriptResult> = runScript('x.py', { timeoutMs: Infinity, args: ['a'] });
const runner = new ParallelRunner({ maxWorkers: 2 });
void runner.runScripts(['x.py'], { configs: { 'x.py': { retries: 1 } } }).then((r) => r.passed + r.total);
void new BatchRunner().runBatches([['x.py']]).then((all) => all.length);
const doubled: Promise<FunctionResult<number>> = runFunction((n: number) => n * 2, { args: [21] });
const math = wrapModule<{ double(n: number): number }>('./math.mjs');
const four: Promise<number> = math.double(2);
void new AsyncParallelRunner({ maxConcurrency: 2 }).run([['a', async () => 1]]).then((r) => r.success);
const id: string = new AsyncScheduler().schedule(async () => 'done', { name: 'job' });
export { status, result, doubled, four, id };
`;

/** Calls every public entry point of the installed package; prints what each gave. */
const ENTRY_POINTS_PROBE = `import { createRequire } from 'node:module';
import {
  runScript, ParallelRunner, BatchRunner, runFunction, wrapModule, closeFunctionPool,
  AsyncParallelRunner, AsyncScheduler,
} from 'ergate';
const python = '/usr/bin/python3';
const out = {};
// nothing a user lacks can be found from the installed package
const fromPackage = createRequire(new URL('./node_modules/ergate/package.json', import.meta.url));
out.resolvable = ['tsx', 'tsx/esm/api', 'vitest', 'typescript', 'bullmq'].filter((name) => {
  try { fromPackage.resolve(name); return true; } catch { return false; }
});
for (const startMethod of ['spawn', 'forkserver']) {
  const r = await runScript('hello.py', { python, startMethod });
  out[startMethod] = [r.status, r.stdout];
}
const parallel = new ParallelRunner({ maxWorkers: 2, python });
out.parallel = (await parallel.runScripts(['hello.py', 'hello.py'])).passed;
await parallel.close();
const batches = new BatchRunner({ maxWorkers: 2 });
out.batches = (await batches.runBatches([['hello.py'], ['hello.py']])).map((r) => r.success);
await batches.close();
const thread = await runFunction((n) => n * 2, { args: [21] });
const processHost = await runFunction((n) => n * 2, { args: [21], memoryLimitMb: 64 });
const fresh = await runFunction((n) => n * 2, { args: [21], isolate: 'fresh' });
const byRef = await runFunction({ module: './math.mjs', export: 'double' }, { args: [4] });
out.functions = [thread, processHost, fresh, byRef].map((r) => [r.status, r.result, r.isolation, r.error]);
out.wrapModule = await wrapModule('./math.mjs').double(5);
await closeFunctionPool();
const tasks = await new AsyncParallelRunner({ maxConcurrency: 2 }).run([['a', async () => 1], { name: 'b', fn: async () => 2 }]);
out.tasks = tasks.results.map((r) => r.value);
const scheduler = new AsyncScheduler({ maxConcurrency: 2 });
scheduler.schedule(async () => 'done', { name: 'job' });
out.scheduler = [...(await scheduler.runAll()).values()].map((job) => [job.status, job.result]);
console.log(JSON.stringify(out));
`;

const BACKEND_PROBE = `import { ParallelRunner, ErgateWorker } from 'ergate';
const runner = new ParallelRunner({ backend: { redis: 'redis://127.0.0.1:1' } });
await runner.runScripts(['hello.py']).catch((e) => console.log(e.message));
await runner.close();
await ErgateWorker.start({ redis: 'redis://127.0.0.1:1' }).catch((e) => console.log(e.message));
`;

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

/** The environment a user's shell has: none of the suite's loaders or switches. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(NODE_OPTIONS|NODE_PATH|ERGATE_|VITEST|TSX)/.test(key)) env[key] = value;
  return { ...env, CI: 'true' };
}

describe('the ergate package, installed from its tarball', () => {
  const temp = mkdtempSync('/tmp/ergate-pack-test-');
  const app = path.join(temp, 'app');
  const bin = path.join(app, 'node_modules', '.bin', 'ergate');
  const inApp = { cwd: app, env: userEnv() };
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  beforeAll(async () => {
    // dist/ was just built by test/global-setup.ts; --ignore-scripts skips prepack's rebuild,
    // which would rewrite dist/ under the other test files' threads.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', temp, '--silent'], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const tarball = readdirSync(temp).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    mkdirSync(app);
    writeAppLockedToTarball(app, path.join(temp, tarball!));
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], inApp);
    writeFileSync(path.join(app, 'hello.py'), 'print("hi")\n');
    writeFileSync(path.join(app, 'math.mjs'), 'export function double(n) { return n * 2; }\n');
  }, 300_000);

  it('ships dist/, a LICENSE, no source maps, no bullmq; require() works', async () => {
    const files = listFiles(path.join(app, 'node_modules', 'ergate'));
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/workers/function-host.js');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(existsSync(path.join(app, 'node_modules', 'bullmq'))).toBe(false);
    // require(esm), as Node >= 20.19 and >= 22.12 (the engines range) do it
    const required = await run(process.execPath, ['-e', "console.log(typeof require('ergate').runScript)"], inApp);
    expect(required.stdout.trim()).toBe('function');
  });

  it('runs every public entry point with no tsx or dev dependency in reach', async () => {
    writeFileSync(path.join(app, 'entry-points.mjs'), ENTRY_POINTS_PROBE);
    const { stdout } = await run(process.execPath, ['entry-points.mjs'], inApp);
    expect(JSON.parse(stdout)).toEqual({
      resolvable: [],
      spawn: ['passed', 'hi\n'],
      forkserver: ['passed', 'hi\n'],
      parallel: 2,
      batches: [true, true],
      functions: [
        ['passed', 42, 'thread', null],
        ['passed', 42, 'process', null],
        ['passed', 42, 'thread', null],
        ['passed', 8, 'thread', null],
      ],
      wrapModule: 10,
      tasks: [1, 2],
      scheduler: [['completed', 'done']],
    });
  }, 120_000);

  it('the ergate bin: --version, a run, JUnit for two same-named scripts, --redis without bullmq', async () => {
    const version = await run(bin, ['--version'], inApp);
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest).version,
    );
    for (const folder of ['a', 'b']) {
      mkdirSync(path.join(app, 'suite', folder), { recursive: true });
      writeFileSync(path.join(app, 'suite', folder, 'test_same.py'), `print("${folder}")\n`);
    }
    const ran = await run(
      bin,
      ['run', 'suite', '--python', '/usr/bin/python3', '--junit', 'report.xml', '--html', 'report.html'],
      inApp,
    );
    expect(ran.stdout).toContain('2 scripts: 2 passed');
    // The HTML report's page files ship in the package and are found from dist/.
    expect(readFileSync(path.join(app, 'report.html'), 'utf8')).toContain('E.Timeline = class');
    const junit = readFileSync(path.join(app, 'report.xml'), 'utf8');
    const cases = [...junit.matchAll(/<testcase name="([^"]*)" classname="([^"]*)"/g)].map((m) => `${m[2]} ${m[1]}`);
    expect(cases.sort()).toEqual(['suite.a test_same.py', 'suite.b test_same.py']);
    const redis = await run(bin, ['run', 'hello.py', '--redis', 'redis://127.0.0.1:1'], inApp).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(redis).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--redis needs the optional package bullmq: run "npm install bullmq"') as unknown,
    });
    writeFileSync(path.join(app, 'backend.mjs'), BACKEND_PROBE);
    const backend = await run(process.execPath, ['backend.mjs'], inApp);
    expect(backend.stdout.trim().split('\n')).toEqual([
      'the Redis backend needs the optional package bullmq: run "npm install bullmq" beside ergate',
      'ErgateWorker needs the optional package bullmq: run "npm install bullmq" beside ergate',
    ]);
  }, 120_000);

  it('type-checks a strict consumer with skipLibCheck off and bullmq absent', async () => {
    // a consumer has @types/node; nothing else from the repository is in reach
    mkdirSync(path.join(app, 'node_modules', '@types'), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(app, 'node_modules', '@types', 'node'));
    writeFileSync(path.join(app, 'probe.ts'), TYPES_PROBE);
    const tsconfig = {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      files: ['probe.ts'],
    };
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run(process.execPath, [tsc, '-p', app], inApp).catch((e: { stdout: string }) => e);
    expect(checked.stdout).toBe('');
  }, 120_000);

  it('loads from the TypeScript sources under node --import tsx', async () => {
    const probe = `import(${JSON.stringify(path.join(ROOT, 'src', 'index.ts'))}).then(async ({ runScript }) => {
      const r = await runScript(${JSON.stringify(HELLO)}, { python: '/usr/bin/python3' });
      console.log(JSON.stringify({ status: r.status, stdout: r.stdout }));
    });`;
    // without ERGATE_WORKERS_FROM, so the supervisor thread really loads workers/*.ts through tsx
    const { ERGATE_WORKERS_FROM: _, ...env } = process.env;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: ROOT, env });
    expect(JSON.parse(stdout)).toEqual({ status: 'passed', stdout: `hello from ${HELLO}\n` });
  }, 120_000);
});
