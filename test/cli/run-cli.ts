// Spawns the ergate CLI as a user would (bin/ergate.js, which runs the dist/ that vitest's
// global setup has just built, in a chosen working directory, CI=true so output is one line
// per script) and collects its exit code and output.
// Also writes small script trees for the tests and parses JUnit back with an XML parser.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(root, 'bin', 'ergate.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], env: Record<string, string> = {}, cwd = root) {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function finish(child: ReturnType<typeof startCli>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export const runCli = (args: string[], env?: Record<string, string>, cwd?: string): Promise<CliRun> =>
  finish(startCli(args, env, cwd));

/** Writes `files` (relative path -> content) under `dir`, creating folders. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
}

export interface JunitCase {
  '@_name': string;
  '@_classname': string;
  '@_file': string;
  failure?: unknown;
  error?: unknown;
  skipped?: unknown;
  flakyFailure?: Array<{ '@_message': string; 'system-out'?: string; 'system-err'?: string; stackTrace?: string }>;
  rerunFailure?: unknown[];
  'system-out'?: string;
  'system-err'?: string;
}

/** The <testcase> elements of a JUnit file, parsed by a real XML parser (which rejects bad XML). */
export function parseJunit(xml: string): { suite: Record<string, string>; cases: JunitCase[] } {
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseAttributeValue: false,
    isArray: (name) => ['testcase', 'flakyFailure', 'rerunFailure'].includes(name),
  });
  const doc = parser.parse(xml, true) as { testsuites: { testsuite: Record<string, string> & { testcase?: JunitCase[] } } };
  const suite = doc.testsuites.testsuite;
  return { suite, cases: suite.testcase ?? [] };
}
