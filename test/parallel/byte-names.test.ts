// ParallelRunner and BatchRunner run a script whose file name is not valid UTF-8, given as the
// Buffer of its path (or the surrogateescape string), and name it in the result.
import { describe, expect, it } from 'vitest';
import { BatchRunner, ParallelRunner } from '../../src/index.ts';
import { pathFromBytes } from '../../src/internal/byte-names.ts';
import { PYTHON, isGoneSoon, makeTempDir, writeByteNamedScript } from './helpers.ts';

describe('runners and file names that are not valid UTF-8', () => {
  it('ParallelRunner.runScripts and BatchRunner.runBatches run them', async () => {
    const dir = makeTempDir();
    const first = writeByteNamedScript(dir);
    const second = writeByteNamedScript(dir, 'd\xff/t.py');
    await using runner = new ParallelRunner({ maxWorkers: 2, python: PYTHON, startMethod: 'forkserver' });
    const result = await runner.runScripts([first, pathFromBytes(second)], { timeoutMs: 30_000 });
    expect(result.results.map((r) => [r.status, r.name, r.subdirectory, r.stdout.split(' ')[0]])).toEqual([
      ['passed', 'caf\uDCE9_test.py', dir.split('/').pop(), first.toString('hex')],
      ['passed', 't.py', 'd\uDCFF', second.toString('hex')],
    ]);
    await using batches = new BatchRunner({ maxWorkers: 1, python: PYTHON });
    const [batch] = await batches.runBatches([[second]], { timeoutMs: 30_000 });
    expect(batch.results[0].status).toBe('passed');
    expect(batch.results[0].script).toBe(pathFromBytes(second));
    for (const r of [...result.results, ...batch.results]) expect(await isGoneSoon(r.pid!)).toBe(true);
  });
});
