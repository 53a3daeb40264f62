// The package as users get it: `npm pack` (prepack builds dist/), install the tarball into an
// empty folder with `npm ci --offline`, and `import { runScript } from 'ergate'` there; plus loading
// straight from the TypeScript sources under `node --import tsx`, worker files included.
// The install needs no network and no registry metadata in npm's cache (a fresh `npm ci` caches
// tarballs only): the app's lockfile pins the tarball and the repo's locked production dependencies.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

interface LockEntry { dev?: boolean; [field: string]: unknown }
interface Manifest { version: string; license: string; dependencies: Record<string, string>; bin: unknown; engines: unknown }

/** Writes app/package.json and a package-lock.json that depends on the tarball, whose dependencies
 *  are locked exactly as in the repo's own lockfile (its non-dev entries), so `npm ci` resolves nothing. */
function writeAppLockedToTarball(app: string, tarball: string): void {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const repoLock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { ergate: spec } },
    'node_modules/ergate': {
      version: manifest.version, resolved: spec, integrity, license: manifest.license,
      dependencies: manifest.dependencies, bin: manifest.bin, engines: manifest.engines,
    },
  };
  for (const [key, entry] of Object.entries(repoLock.packages)) if (key !== '' && entry.dev !== true) packages[key] = entry;
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { ergate: spec } }));
  writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }));
}

describe('the ergate package', () => {
  const temp = mkdtempSync('/tmp/ergate-pack-test-');
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('packs, installs from the tarball into an empty folder and runs a script', async () => {
    // dist/ was just built by test/global-setup.ts; --ignore-scripts skips prepack's rebuild,
    // which would rewrite dist/ under the other test files' threads.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', temp, '--silent'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
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
    expect(installed).toContain('supervisor.js');
  }, 300_000);

  it('loads from the TypeScript sources under node --import tsx', async () => {
    const probe = PROBE.replace("import('ergate')", `import(${JSON.stringify(path.join(ROOT, 'src', 'index.ts'))})`);
    // without ERGATE_WORKERS_FROM, so the supervisor thread really loads workers/*.ts through tsx
    const { ERGATE_WORKERS_FROM: _, ...env } = process.env;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: ROOT, env });
    expect(JSON.parse(stdout)).toEqual({ status: 'passed', stdout: `hello from ${HELLO}\n` });
  }, 120_000);
});
