// What a script left running is said on its console line and in its JUnit <system-err>;
// --fail-on-leftovers (or failOnLeftovers in the config file) fails such a script, exit 1.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { waitUntilGone } from '../script/helpers.ts';
import { parseJunit, runCli, writeTree } from './run-cli.ts';

const LEAVES = 'import subprocess\nprint("leftover", subprocess.Popen(["sleep", "30"]).pid, flush=True)\n';

/** The run's JUnit case of leaves.py, and the pid of the `sleep 30` it left. */
function leavesCase(junit: string): { systemErr: string; pid: number } {
  const found = parseJunit(readFileSync(junit, 'utf8')).cases.find((c) => c['@_name'].includes('leaves'))!;
  return {
    systemErr: String(found['system-err']),
    pid: Number(/leftover (\d+)/.exec(String(found['system-out']))![1]),
  };
}

describe('leftovers on the command line', () => {
  it('says what a script left on its console line and in JUnit, and passes it by default', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'leaves.py': LEAVES, 'clean.py': 'print("ok")\n' });
    const junit = path.join(dir, 'out.xml');
    const run = await runCli(['run', dir, '--python', PYTHON, '--junit', junit]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/PASS +\S*leaves\.py .*left `sleep 30` behind \(killed\)\n/);
    expect(run.stdout).not.toMatch(/clean\.py .*left/);
    const { systemErr, pid } = leavesCase(junit);
    expect(systemErr).toBe(`ergate: left pid ${pid} \`sleep 30\` behind (killed)`);
    await waitUntilGone(pid);
  });

  it.each([
    ['--fail-on-leftovers', ['--fail-on-leftovers']],
    ['failOnLeftovers in the config file', ['--config', 'ergate.config.json']],
  ])('fails such a script with %s: exit 1', async (_, flags) => {
    const dir = makeTempDir();
    writeTree(dir, { 'leaves.py': LEAVES });
    writeFileSync(path.join(dir, 'ergate.config.json'), JSON.stringify({ failOnLeftovers: true }));
    const junit = path.join(dir, 'out.xml');
    const run = await runCli(['run', 'leaves.py', '--python', PYTHON, '--junit', junit, ...flags], {}, dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL +leaves\.py .*left `sleep 30` behind \(killed\)\n/);
    expect(run.stdout).not.toMatch(/\(killed\).*\(killed\)/); // said once
    await waitUntilGone(leavesCase(junit).pid);
  });
});
