// The package as users get it: `npm pack` (prepack builds dist/), install the tarball into an
// empty folder from npm's cache, and `import { runScript } from 'ergate'` there; plus loading
// straight from the TypeScript sources under `node --import tsx`, worker files included.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    writeFileSync(path.join(app, 'package.json'), '{"name":"app","private":true,"type":"module"}\n');
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(temp, tarball!)], { cwd: app });
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
