// Workload 7 (issue 7): scripts that import a heavy standard-library set (asyncio, email,
// http.client, json, decimal), 2 wide: ParallelRunner in spawn mode (the reference: every script
// pays the imports) against the fork server with those modules preloaded. Goal: at least 5x faster.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Workload } from '../harness/types.ts';
import { closeRunner, openRunner, runWithOpenRunner, type OpenRunner, type ScriptBatch } from './script-variants.ts';

const MODULES = ['asyncio', 'email', 'email.message', 'email.parser', 'http.client', 'json', 'decimal'];
const SCRIPT = `import asyncio, email.message, email.parser, http.client, json, decimal
msg = email.message.EmailMessage()
msg['Subject'] = 'ergate'
print(json.dumps({'sum': str(decimal.Decimal('0.1') + decimal.Decimal('0.2')), 'subject': msg['Subject'], 'ok': http.client.OK}))
`;

interface HeavyState extends ScriptBatch {
  spawn: OpenRunner;
  forkserver: OpenRunner;
}

async function writeHeavyScripts(dir: string, n: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = Array.from({ length: n }, (_, i) => path.join(dir, `heavy_${String(i).padStart(4, '0')}.py`));
  await Promise.all(files.map((file) => writeFile(file, SCRIPT)));
  return files;
}

export const heavyImportsWorkload: Workload<HeavyState> = {
  name: 'heavy-imports',
  title: 'Scripts importing asyncio, email, http.client, json, decimal, 2 wide',
  metric: 'wall time of the whole run',
  unit: 'ms',
  reference: 'ours (spawn)',
  goals: [
    {
      variant: 'ours (forkserver, preloaded)',
      maxRatio: 0.2,
      text: 'fork server with the modules preloaded at least 5× faster than spawn (issue 7)',
    },
  ],
  notes:
    `Both variants are one warm ParallelRunner each (opened and primed before the timed runs). The fork server ` +
    `preloads ${MODULES.join(', ')}; in spawn mode every script imports them itself.`,
  cases: (ctx) => {
    const n = ctx.smoke ? 4 : 100;
    return [{ label: `N=${n}`, params: { N: n } }];
  },
  async setup(ctx, spec) {
    const scripts = await writeHeavyScripts(path.join(ctx.tmpDir, 'heavy'), spec.params.N);
    const batch = { scripts, python: ctx.python, concurrency: 2 };
    return { ...batch, spawn: await openRunner(batch), forkserver: await openRunner(batch, 'forkserver', MODULES) };
  },
  variants: {
    'ours (spawn)': (state) => runWithOpenRunner(state.spawn, state),
    'ours (forkserver, preloaded)': (state) => runWithOpenRunner(state.forkserver, state),
  },
  async teardown(state) {
    await Promise.all([closeRunner(state.spawn), closeRunner(state.forkserver)]);
  },
};
