// Starts the real CLI from tests as a user would (bin/ergate.js, which runs the dist/ that
// vitest's global setup has just built, in a chosen working directory; CI=true keeps the
// console in plain-lines mode) and collects what it printed; shared by the CLI test files.
// Also writes small script trees and parses JUnit back with a real XML parser.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'ergate.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export type CliChild = ChildProcessByStdio<null, Readable, Readable>;

export function startCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): CliChild {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * The CLI started by /bin/sh after `setup` (e.g. `umask 077`, `ulimit -f 4096`: limits the
 * CLI must inherit), with every argument quoted for the shell.
 */
export function startCliInShell(setup: string, args: string[]): CliChild {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawn('/bin/sh', ['-c', `${setup}; exec ${command}`], {
    cwd: ROOT,
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects the child's output until it exits (stdout may have been destroyed by the test). */
export function finish(child: CliChild): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
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
  const doc = parser.parse(xml, true) as {
    testsuites: { testsuite: Record<string, string> & { testcase?: JunitCase[] } };
  };
  const suite = doc.testsuites.testsuite;
  return { suite, cases: suite.testcase ?? [] };
}
