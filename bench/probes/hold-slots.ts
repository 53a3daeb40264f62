// Child process for the memory-per-slot workload: runs K sleeping scripts K wide through ours
// (ParallelRunner) or a plain spawn loop, and holds them until SIGTERM, when it cancels, closes
// and exits. A separate process so its RSS holds nothing but that runner and its children.
// Usage: node --import tsx bench/probes/hold-slots.ts <ours|spawn> <K> <python> <script>...
import { spawn, type ChildProcess } from 'node:child_process';
import { requireOurs } from '../harness/ours.ts';

const [variant, k, python, ...scripts] = process.argv.slice(2);
const slots = Number(k);

async function holdWithOurs(): Promise<void> {
  const ParallelRunner = await requireOurs('ParallelRunner');
  const runner = new ParallelRunner({ maxWorkers: slots, python });
  process.once('SIGTERM', () => {
    runner.cancel();
    void runner.close().then(() => process.exit(0));
  });
  await runner.runScripts(scripts.slice(0, slots), { timeoutMs: 600_000 });
}

function holdWithSpawn(): void {
  const children: ChildProcess[] = scripts.slice(0, slots).map((script) => {
    const child = spawn(python, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    return child;
  });
  process.once('SIGTERM', () => {
    let open = children.length;
    for (const child of children) {
      child.once('close', () => (open -= 1) === 0 && process.exit(0));
      child.kill('SIGKILL');
    }
  });
}

if (variant === 'ours') await holdWithOurs();
else holdWithSpawn();
