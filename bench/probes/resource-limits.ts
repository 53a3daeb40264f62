// Probe: which allocation patterns a Worker's resourceLimits contain on this Node, and which
// take the whole process down (nodejs/node#47224). Each pattern runs in a worker thread of a
// fresh child process (so an abort costs only that child); the worker gives up by itself
// after 1 GiB outside the heap, so an uncontained pattern never threatens the machine.
// Run: node --import tsx bench/probes/resource-limits.ts  (prints a Markdown table)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 };

/** Worker bodies (eval'd), each allocating until stopped; `escaped` = no limit stopped it. */
const PATTERNS: Record<string, string> = {
  'gradual heap growth (small objects)': `const kept = []; for (let i = 0; ; i++) kept.push({ i, text: 'item ' + i });`,
  'one huge allocation (new Array(1e8).fill(1))': `const a = new Array(1e8).fill(1); postMessage('escaped: allocated ' + a.length);`,
  'deep recursion': `const f = (n) => f(n + 1) + 1; try { f(0); } catch (e) { postMessage('caught in the worker: ' + e.constructor.name); }`,
  'many small arrays': `const kept = []; for (;;) kept.push(new Array(16).fill(0));`,
  'Buffers (off-heap)': `const kept = []; let total = 0; while (total < 1024) { kept.push(Buffer.alloc(1 << 20, 1)); total++; } postMessage('escaped: ' + total + ' MiB of Buffers held');`,
  'one huge string join': `const parts = []; for (let i = 0; i < 5e7; i++) parts.push('x' + i); postMessage('escaped: ' + parts.join('').length);`,
};

interface Outcome {
  pattern: string;
  outcome: string;
  detail: string;
  ms: number;
}

/** In the child: runs one pattern in a limited worker and prints what happened. */
async function runPattern(body: string): Promise<void> {
  const prelude =
    "const { parentPort } = require('node:worker_threads'); const postMessage = (m) => parentPort.postMessage(m);\n";
  const worker = new Worker(prelude + body, { eval: true, resourceLimits: LIMITS });
  let message = '';
  let error = '';
  worker.on('message', (m: string) => {
    message = m;
    void worker.terminate();
  });
  worker.on('error', (e: Error & { code?: string }) => (error = `${e.code ?? e.name}: ${e.message}`));
  const code = await new Promise<number>((resolve) => worker.on('exit', resolve));
  process.stdout.write(JSON.stringify({ message, error, code }));
}

function classify(pattern: string, ms: number, run: ReturnType<typeof spawnSync>): Outcome {
  const stdout = String(run.stdout ?? '');
  const stderr = String(run.stderr ?? '');
  if (run.status !== 0 || stdout === '') {
    const how = run.signal ? `killed by ${run.signal}` : `exit code ${run.status}`;
    const fatal =
      /FATAL ERROR[^\n]*|Fatal JavaScript[^\n]*|out of memory[^\n]*/i.exec(stderr)?.[0] ?? stderr.split('\n')[0] ?? '';
    return { pattern, outcome: 'ABORTS THE PROCESS', detail: `${how}: ${fatal.trim()}`, ms };
  }
  const { message, error, code } = JSON.parse(stdout) as { message: string; error: string; code: number };
  if (message.startsWith('escaped')) return { pattern, outcome: 'not limited', detail: message, ms };
  if (message.startsWith('caught')) return { pattern, outcome: 'contained (a catchable error)', detail: message, ms };
  return {
    pattern,
    outcome: 'contained (worker ended)',
    detail: `${error || 'no error event'}; worker exit code ${code}`,
    ms,
  };
}

if (process.argv[2] === '--child') {
  await runPattern(PATTERNS[process.argv[3]]);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const self = fileURLToPath(import.meta.url);
  const rows: Outcome[] = [];
  for (const pattern of Object.keys(PATTERNS)) {
    const started = performance.now();
    const run = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', pattern], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    rows.push(classify(pattern, Math.round(performance.now() - started), run));
  }
  console.log(`Node ${process.version}, resourceLimits ${JSON.stringify(LIMITS)}\n`);
  console.log('| pattern | outcome | detail | ms |\n| --- | --- | --- | --- |');
  for (const row of rows)
    console.log(`| ${row.pattern} | ${row.outcome} | ${row.detail.replace(/\|/g, '/')} | ${row.ms} |`);
}
