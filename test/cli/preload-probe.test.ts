// The probe before --preload auto's fork servers start: a thread is blamed on the module whose
// import started it, whatever order the learned modules come in, together with every module
// that imports it; a native thread (a C library's worker pool, numpy's BLAS) does not count.
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeRefusals, probeModules } from '../../src/cli/settings/preload-probe.ts';
import { PYTHON } from '../script/helpers.ts';
import { ROOT } from './run-cli.ts';

const SITE = path.join(ROOT, 'test/fixtures/preload-auto/site-packages');

it('blames the module that starts a Python thread and its importers, not the first import', async () => {
  const probe = await probeModules(
    PYTHON,
    ['imports_threadmod', 'nativethread', 'quietmod', 'threadmod', 'nosuchmod'],
    SITE,
  );
  expect(probe.ok).toEqual(['nativethread', 'quietmod']);
  expect(probe.threaded).toEqual([
    ['imports_threadmod', 'threadmod'],
    ['threadmod', 'threadmod'],
  ]);
  expect(probe.broken).toEqual([['nosuchmod', "ModuleNotFoundError: No module named 'nosuchmod'"]]);
  expect(describeRefusals(probe)).toEqual([
    '--preload auto: left out imports_threadmod: it imports threadmod, which starts a thread when imported (fork unsafe)',
    '--preload auto: left out threadmod: it starts a thread when imported, which makes fork unsafe',
    "--preload auto: left out nosuchmod: ModuleNotFoundError: No module named 'nosuchmod'",
  ]);
});
