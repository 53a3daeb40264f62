// A mistyped option is refused at every public boundary (strict schemas), and named with the
// option it most likely meant, at the top level and inside a nested options object; a key
// close to none gets no guess.
import { expect, it } from 'vitest';
import { AsyncScheduler, ParallelRunner, runFunction, runScript } from '../../src/index.ts';

it.each([
  [
    () => new AsyncScheduler({ maxConcurency: 2 } as never),
    /^AsyncScheduler options\.maxConcurency: not a known option \(did you mean maxConcurrency\?\)$/,
  ],
  [
    () => new ParallelRunner({ maxWorker: 2 } as never),
    /^ParallelRunner options\.maxWorker: not a known option \(did you mean maxWorkers\?\)$/,
  ],
  [
    () => new ParallelRunner({ backend: { redis: 'redis://localhost', queu: 'q' } } as never),
    /^ParallelRunner options\.backend\.queu: not a known option \(did you mean queue\?\)$/,
  ],
  [() => new ParallelRunner({ zzz: 2 } as never), /^ParallelRunner options\.zzz: not a known option$/],
])('constructors: %#', (make, message) => {
  expect(make).toThrow(TypeError);
  expect(make).toThrow(message);
});

it.each([
  [
    () => runScript('/nonexistent.py', { timoutMs: 1 } as never),
    /^options\.timoutMs is not a known option \(did you mean timeoutMs\?\)$/,
  ],
  [
    () => runScript('/nonexistent.py', { zzz: 1 } as never),
    /^options\.zzz is not a known option \(expected one of timeoutMs, env, /,
  ],
  [
    () => runFunction(() => 1, { timeoutMS: 1 } as never),
    /^options\.timeoutMS is not a known option \(did you mean timeoutMs\?\)$/,
  ],
  [
    () => runFunction({ module: '/nonexistent.js', exprt: 'a' } as never),
    /^fn\.exprt is not a known option \(did you mean export\?\)$/,
  ],
])('calls: %#', async (call, message) => {
  await expect(call()).rejects.toThrow(TypeError);
  await expect(call()).rejects.toThrow(message);
});
