// Writes the Python scripts the workloads run into a temp folder, never into the repository:
// trivial ones (`print('ok')`), sleepers that announce themselves with a marker file named by
// their pid, and a failer that fails only once every sleeper is running. Marker files let the
// bench synchronise on events and find every child by pid, the same way for ours and peers.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const SLEEPER = `import os, time
markers = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'markers')
open(os.path.join(markers, str(os.getpid())), 'w').close()
print('started', flush=True)
time.sleep(600)
`;

function failerSource(sleepers: number): string {
  return `import os, sys, time
here = os.path.dirname(os.path.abspath(__file__))
markers = os.path.join(here, 'markers')
deadline = time.time() + 60
while len(os.listdir(markers)) < ${sleepers} and time.time() < deadline:
    time.sleep(0.002)
tmp = os.path.join(here, 'fail-time.tmp')
with open(tmp, 'w') as f:
    f.write(repr(time.time()))
os.replace(tmp, os.path.join(here, 'fail-time'))
sys.exit(1)
`;
}

function numbered(dir: string, prefix: string, i: number): string {
  return path.join(dir, `${prefix}_${String(i).padStart(5, '0')}.py`);
}

/** n scripts that print 'ok' and exit 0. */
export async function writeTrivialScripts(dir: string, n: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths = Array.from({ length: n }, (_, i) => numbered(dir, 'trivial', i));
  // Batches keep 10,000 writes from opening 10,000 files at once.
  for (let i = 0; i < paths.length; i += 256) {
    await Promise.all(paths.slice(i, i + 256).map((p) => writeFile(p, "print('ok')\n")));
  }
  return paths;
}

/** n sleepers (marker, then sleep 600 s) in dir, plus dir/markers. */
export async function writeSleeperScripts(dir: string, n: number): Promise<string[]> {
  await mkdir(path.join(dir, 'markers'), { recursive: true });
  const paths = Array.from({ length: n }, (_, i) => numbered(dir, 'sleeper', i));
  await Promise.all(paths.map((p) => writeFile(p, SLEEPER)));
  return paths;
}

/** A script that waits for `sleepers` markers, writes dir/fail-time (epoch seconds), exits 1. */
export async function writeFailerScript(dir: string, sleepers: number): Promise<string> {
  const file = path.join(dir, 'failer.py');
  await writeFile(file, failerSource(sleepers));
  return file;
}

/** Empties dir/markers and removes dir/fail-time before a run. */
export async function resetMarkers(dir: string): Promise<void> {
  await rm(path.join(dir, 'markers'), { recursive: true, force: true });
  await rm(path.join(dir, 'fail-time'), { force: true });
  await mkdir(path.join(dir, 'markers'), { recursive: true });
}

/** pids of the sleepers that have started so far. */
export async function readMarkerPids(dir: string): Promise<number[]> {
  const names = await readdir(path.join(dir, 'markers'));
  return names.map(Number).filter((n) => Number.isInteger(n) && n > 0);
}
