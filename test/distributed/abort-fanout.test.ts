// One 'abort' listener per signal however many jobs wait on it (a run's 1,000-job window used
// to add one each, and EventTarget's duplicate check made every add walk them all).
import { getEventListeners } from 'node:events';
import { expect, it } from 'vitest';
import { onAbort } from '../../src/distributed/abort-fanout.ts';

it('serves every waiter of a signal from one listener, each called once, the forgotten ones never', () => {
  const controller = new AbortController();
  const calls: number[] = [];
  const forgets = Array.from({ length: 1_000 }, (_, i) => onAbort(controller.signal, () => calls.push(i)));
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
  forgets[3]();
  controller.abort();
  expect(calls).toHaveLength(999);
  expect(calls).not.toContain(3);
  controller.abort();
  expect(calls).toHaveLength(999);
  // An aborted signal runs the callback at once.
  let late = 0;
  onAbort(controller.signal, () => (late += 1));
  expect(late).toBe(1);
});
