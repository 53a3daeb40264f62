// Reads the JUnit XML a child wrote (pytest's --junitxml, or any harness writing to
// $ERGATE_JUNIT_XML) into a ScriptResult's `tests` counts and `testCases`. Bounded: a file
// above MAX_JUNIT_BYTES or one that does not parse is reported as no results, never thrown.
// The file is removed once read, so nothing of a run outlives it. Also the list of modules a
// forked child had loaded (--preload auto learns from it).
import fs from 'node:fs';
import { xpassedIds } from './junit-capture.ts';
import { findAll, parseXml, type XmlElement } from './junit-xml.ts';
import type { TestCase, TestCounts, TestStatus } from './types.ts';

export const MAX_JUNIT_BYTES = 64 * 1024 * 1024;

export interface TestResults {
  tests: TestCounts;
  testCases: TestCase[];
}

const COUNT_KEY: Record<TestStatus, keyof TestCounts> = {
  passed: 'passed',
  failed: 'failed',
  error: 'errors',
  skipped: 'skipped',
  xfailed: 'xfailed',
  xpassed: 'xpassed',
};

/**
 * The test results in the JUnit file at `file` (removed after reading); null when there is
 * none. `stdout` is the child's, for pytest's XPASS summary lines.
 */
export function takeTestResults(file: string, stdout = ''): TestResults | null {
  // Most scripts write none: one stat, not a thrown ENOENT, on that common path.
  if (!fs.existsSync(file)) return null;
  let xml: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      if (fs.fstatSync(fd).size > MAX_JUNIT_BYTES) return null;
      xml = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
    }
  } catch {
    return null; // none written (the usual case), or unreadable
  }
  const root = parseXml(xml);
  return root ? testResultsOf(root, stdout) : null;
}

/** Counts and cases of a parsed JUnit document; `stdout` tells pytest's xpassed tests apart. */
export function testResultsOf(root: XmlElement, stdout = ''): TestResults {
  const elements = findAll(root, 'testcase');
  const testCases = elements.map(toTestCase);
  const passedWithFile = testCases.flatMap((testCase, i) => {
    const file = elements[i].attrs.file;
    return testCase.status === 'passed' && file !== undefined ? [{ id: testCase.id, file }] : [];
  });
  const xpassed = xpassedIds(stdout, passedWithFile);
  const tests: TestCounts = { passed: 0, failed: 0, errors: 0, skipped: 0, xfailed: 0, xpassed: 0 };
  for (const testCase of testCases) {
    if (xpassed.has(testCase.id)) testCase.status = 'xpassed';
    tests[COUNT_KEY[testCase.status]]++;
  }
  return { tests, testCases };
}

function toTestCase(element: XmlElement): TestCase {
  const classname = element.attrs.classname ?? '';
  const name = element.attrs.name ?? '';
  const child = (tag: string) => element.children.find((c) => c.name === tag);
  const failure = child('failure');
  const error = child('error');
  const skipped = child('skipped');
  const found = failure ?? error ?? skipped;
  let status: TestStatus = 'passed';
  if (failure) status = 'failed';
  else if (error) status = 'error';
  else if (skipped) status = skipped.attrs.type === 'pytest.xfail' ? 'xfailed' : 'skipped';
  const seconds = Number(element.attrs.time);
  return {
    id: testId(classname, name, element.attrs.file),
    classname,
    name,
    status,
    durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
    message: found ? (found.attrs.message ?? (found.text.trim() || null)) : null,
  };
}

/**
 * pytest's node id from its JUnit fields: file `pkg/test_x.py`, classname `pkg.test_x.TestY`,
 * name `test_z[1]` -> `pkg/test_x.py::TestY::test_z[1]`. A collection error (classname '')
 * is the file itself. Without a file (other harnesses), `classname::name`.
 */
export function testId(classname: string, name: string, file: string | undefined): string {
  if (file === undefined) return classname ? `${classname}::${name}` : name;
  if (classname === '') return file;
  const module = file.replace(/\.py$/, '').split('/').join('.');
  const inner =
    classname === module ? '' : classname.startsWith(`${module}.`) ? classname.slice(module.length + 1) : '';
  return [file, ...(inner ? inner.split('.') : []), name].join('::');
}

/** The third-party modules a forked child listed at its end (`name<TAB>file` lines; the file is removed). */
export function takeImports(file: string): Record<string, string> {
  const found: Record<string, string> = {};
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
    fs.rmSync(file, { force: true });
  } catch {
    return found;
  }
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    const path = line.slice(tab + 1);
    if (tab > 0 && /[/\\](site|dist)-packages[/\\]/.test(path)) found[line.slice(0, tab)] = path;
  }
  return found;
}
