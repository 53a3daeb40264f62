// schedule()'s fast path for options of the plain shape must agree with the schema: the same
// options, once as a plain object (the fast path may take them) and once with a null
// prototype (always the schema), are accepted or refused alike, and read alike.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parseScheduleOptions } from '../../src/scheduler/validate-options.ts';

const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -1, 0.5, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 40, Number.NaN, Infinity, -Infinity),
  fc.constantFrom('5', null, undefined),
);
const options = fc.record(
  {
    name: fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)),
    args: fc.oneof(fc.array(fc.integer()), fc.string(), fc.constant(undefined)),
    priority: number,
    maxRuns: number,
    timeoutMs: number,
    retryDelayMs: number,
    delayMs: number,
  },
  { requiredKeys: [] },
);

function outcome(o: object): unknown {
  try {
    return { ok: { ...parseScheduleOptions(() => 1, o) } };
  } catch (error) {
    return { refused: error instanceof TypeError };
  }
}

it('accepts and reads plain options exactly as the schema does', () => {
  fc.assert(
    fc.property(options, (o) => {
      expect(outcome(o)).toEqual(outcome(Object.assign(Object.create(null) as object, o)));
    }),
    { numRuns: 2000 },
  );
});
