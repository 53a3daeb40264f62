// The package as users get it: `npm pack` (prepack builds dist/), install the tarball into an
// empty folder with `npm ci --offline`, and there: `import` and `require` of 'ergate', the
// `ergate` bin, the shipped types under a strict tsc, no source maps pointing at unshipped
// sources, a LICENSE, and bullmq left out (an optional peer) with `--redis` saying what to
// install. Plus loading straight from the TypeScript sources under `node --import tsx`.
// The install needs no network and no registry metadata in npm's cache (a fresh `npm ci` caches
// tarballs only): the app's lockfile pins the tarball and the repo's locked production dependencies.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const HELLO = path.join(ROOT, 'test', 'fixtures', 'hello.py');
const PROBE = `import('ergate').then(async ({ runScript }) => {
  const r = await runScript(${JSON.stringify(HELLO)}, { python: '/usr/bin/python3' });
  console.log(JSON.stringify({ status: r.status, stdout: r.stdout }));
});`;

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

const TYPES_PROBE = `import { runScript, ParallelRunner, type ScriptResult, type ScriptStatus } from 'ergate';
const status: ScriptStatus = 'passed';
const result: Promise<ScriptResult> = runScript('x.py', { timeoutMs: Infinity, args: ['a'] });
const runner = new ParallelRunner({ maxWorkers: 2 });
void runner.runScripts(['x.py'], { configs: { 'x.py': { retries: 1 } } }).then((r) => r.passed + r.total);
export { status, result };
`;

const BACKEND_PROBE = `import { ParallelRunner, ErgateWorker } from 'ergate';
const runner = new ParallelRunner({ backend: { redis: 'redis://127.0.0.1:1' } });
await runner.runScripts(['hello.py']).catch((e) => console.log(e.message));
await runner.close();
await ErgateWorker.start({ redis: 'redis://127.0.0.1:1' }).catch((e) => console.log(e.message));
`;

/** What a user of the installed tarball meets: files, require(), the bin, the types, no bullmq. */
async function checkInstalledPackage(app: string): Promise<void> {
  const pkg = path.join(app, 'node_modules', 'ergate');
  const files = listFiles(pkg);
  expect(files).toContain('LICENSE');
  expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  expect(existsSync(path.join(app, 'node_modules', 'bullmq'))).toBe(false);

  // require(esm), as Node >= 20.19 and >= 22.12 (the engines range) do it
  const required = await run(process.execPath, ['-e', "console.log(typeof require('ergate').runScript)"], { cwd: app });
  expect(required.stdout.trim()).toBe('function');

  // the bin npm linked, run as a user would
  const bin = path.join(app, 'node_modules', '.bin', 'ergate');
  const version = await run(bin, ['--version'], { cwd: app });
  expect(version.stdout.trim()).toBe(
    (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest).version,
  );
  writeFileSync(path.join(app, 'hello.py'), 'print("hi")\n');
  const ran = await run(bin, ['run', 'hello.py', '--python', '/usr/bin/python3', '--html', 'report.html'], {
    cwd: app,
    env: { ...process.env, CI: 'true' },
  });
  expect(ran.stdout).toContain('1 script: 1 passed');
  // The HTML report's page files ship in the package and are found from dist/.
  expect(readFileSync(path.join(app, 'report.html'), 'utf8')).toContain('E.Timeline = class');
  const redis = await run(bin, ['run', 'hello.py', '--redis', 'redis://127.0.0.1:1'], { cwd: app }).catch(
    (e: { code: number; stderr: string }) => e,
  );
  expect(redis).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--redis needs the optional package bullmq: run "npm install bullmq"') as unknown,
  });
  writeFileSync(path.join(app, 'backend.mjs'), BACKEND_PROBE);
  const backend = await run(process.execPath, ['backend.mjs'], { cwd: app });
  expect(backend.stdout.trim().split('\n')).toEqual([
    'the Redis backend needs the optional package bullmq: run "npm install bullmq" beside ergate',
    'ErgateWorker needs the optional package bullmq: run "npm install bullmq" beside ergate',
  ]);

  // the shipped .d.ts files as a strict consumer's tsc sees them. skipLibCheck as `tsc --init`
  // sets it: without bullmq installed, two internal declaration files of the Redis backend
  // name bullmq types (README, "Install").
  writeFileSync(path.join(app, 'probe.ts'), TYPES_PROBE);
  const tsconfig = {
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    },
    files: ['probe.ts'],
  };
  writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
  await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app });
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

describe('the ergate package', () => {
  const temp = mkdtempSync('/tmp/ergate-pack-test-');
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('packs, installs from the tarball into an empty folder and runs a script', async () => {
    // dist/ was just built by test/global-setup.ts; --ignore-scripts skips prepack's rebuild,
    // which would rewrite dist/ under the other test files' threads.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', temp, '--silent'], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const tarball = readdirSync(temp).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = path.join(temp, 'app');
    await run('mkdir', ['-p', app]);
    writeAppLockedToTarball(app, path.join(temp, tarball!));
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app });
    const { stdout } = await run(process.execPath, ['-e', PROBE], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ status: 'passed', stdout: `hello from ${HELLO}\n` });
    // the installed copy runs from dist/, not from these sources
    const installed = readdirSync(path.join(app, 'node_modules', 'ergate', 'dist', 'workers'));
    expect(installed).toContain('function-host.js');
    await checkInstalledPackage(app);
  }, 300_000);

  it('loads from the TypeScript sources under node --import tsx', async () => {
    const probe = PROBE.replace("import('ergate')", `import(${JSON.stringify(path.join(ROOT, 'src', 'index.ts'))})`);
    // without ERGATE_WORKERS_FROM, so the supervisor thread really loads workers/*.ts through tsx
    const { ERGATE_WORKERS_FROM: _, ...env } = process.env;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: ROOT, env });
    expect(JSON.parse(stdout)).toEqual({ status: 'passed', stdout: `hello from ${HELLO}\n` });
  }, 120_000);
});
