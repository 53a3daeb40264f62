// Per-test results: a pytest module run fills `tests` and `testCases` from the JUnit XML it
// writes (node ids, pytest's classname and name, xfail/xpass told apart) in both start
// methods, and any script writing JUnit to $ERGATE_JUNIT_XML gets the same treatment.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { nextJunitPath } from '../../src/script/junit-capture.ts';
import { parseXml } from '../../src/script/junit-xml.ts';
import { testId } from '../../src/script/test-results.ts';
import { FIXTURES, PYTHON, fixture } from './helpers.ts';

const suite = `${FIXTURES}/pytest-suite`;
const pytestArgs = ['-q', '-p', 'no:cacheprovider', '--rootdir', suite];

describe.each(['spawn', 'forkserver'] as const)('pytest module run (%s)', (startMethod) => {
  it('reports every test of the file', async () => {
    const result = await runScript(`${suite}/test_basic.py`, {
      python: PYTHON,
      startMethod,
      module: 'pytest',
      args: pytestArgs,
    });
    expect(result.status).toBe('failed');
    expect(result.tests).toEqual({ passed: 7, failed: 1, errors: 1, skipped: 1, xfailed: 1, xpassed: 1 });
    const byId = new Map(result.testCases!.map((t) => [t.id, t]));
    expect(byId.get('test_basic.py::test_fails')).toMatchObject({
      classname: 'test_basic',
      name: 'test_fails',
      status: 'failed',
    });
    expect(byId.get('test_basic.py::test_fails')?.message).toContain('arithmetic is broken');
    expect(byId.get('test_basic.py::test_fixture_error')?.message).toMatch(/fixture exploded/);
    expect(byId.get('test_basic.py::TestGroup::test_method')?.classname).toBe('test_basic.TestGroup');
    expect(byId.get('test_basic.py::test_odd_ids[a::b]')?.status).toBe('passed');
    expect(byId.get('test_basic.py::test_odd_ids[\\xfcn\\xef]')?.status).toBe('passed');
    expect(byId.get('test_basic.py::test_xpass')?.status).toBe('xpassed');
    expect(byId.get('test_basic.py::test_xfail')?.status).toBe('xfailed');
    expect(byId.get('test_basic.py::test_subprocess')?.status).toBe('passed');
  });
});

it('reads JUnit a non-pytest script writes to $ERGATE_JUNIT_XML, and removes it', async () => {
  const result = await runScript(fixture('write_junit.py'), {
    python: PYTHON,
    env: { ERGATE_JUNIT_XML: '/nowhere/ignored.xml' },
  });
  expect(result.status).toBe('failed');
  expect(result.tests).toEqual({ passed: 1, failed: 1, errors: 0, skipped: 0, xfailed: 0, xpassed: 0 });
  expect(result.testCases).toEqual([
    {
      id: 'suite.Orders::refund & cancel',
      classname: 'suite.Orders',
      name: 'refund & cancel',
      status: 'passed',
      durationMs: 250,
      message: null,
    },
    {
      id: 'suite.Orders::totals',
      classname: 'suite.Orders',
      name: 'totals',
      status: 'failed',
      durationMs: 1500,
      message: 'expected 3 < 2 &boom;',
    },
  ]);
  expect(result.stdout).toBe('');
  const plain = await runScript(fixture('hello.py'), { python: PYTHON });
  expect(plain.tests).toBeNull();
  expect(plain.testCases).toBeNull();
  // This process's JUnit folder (other test files' runs have their own, maybe mid-write).
  expect(fs.readdirSync(path.dirname(nextJunitPath()))).toEqual([]);
});

it('gives an inherited test the node id of the module that collected it', () => {
  expect(testId('pkg.tests.test_mix.TestDeg', 'test_a', 'pkg/tests/base_test.py')).toBe(
    'pkg/tests/test_mix.py::TestDeg::test_a',
  );
  expect(testId('pkg.test_x.TestY', 'test_z[1]', 'pkg/test_x.py')).toBe('pkg/test_x.py::TestY::test_z[1]');
});

it('parses only well-formed XML, expanding no DTD entity', () => {
  expect(parseXml('<a><b x="1 &amp; 2"/><![CDATA[<raw>]]></a>')).toMatchObject({
    name: 'a',
    text: '<raw>',
    children: [{ name: 'b', attrs: { x: '1 & 2' } }],
  });
  expect(parseXml('<a><b></a>')).toBeNull();
  expect(parseXml('<a>')).toBeNull();
  expect(parseXml('not xml')).toBeNull();
});
