// The floors of src/ and the one way their imports run: the CLI on top; the runners
// (parallel, scheduler, task) and src/distributed side by side, neither importing the other;
// the seam below both; the cores (script, function, resources) and internal at the bottom.
// Every import counts (static, type-only, re-export and import()); the one exception is the
// seam's lazy import() of the Redis side (src/seam/backend-seam.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const RUNNERS = ['parallel', 'scheduler', 'task'];
const CORES = ['script', 'function', 'resources'];

/** Folders each floor must not import. */
const FORBIDDEN: Record<string, string[]> = {
  internal: ['cli', 'distributed', 'seam', ...RUNNERS, ...CORES],
  script: ['cli', 'distributed', 'seam', ...RUNNERS],
  function: ['cli', 'distributed', 'seam', ...RUNNERS],
  resources: ['cli', 'distributed', 'seam', ...RUNNERS],
  seam: ['cli', 'distributed', ...RUNNERS],
  task: ['cli', 'distributed'],
  parallel: ['cli', 'distributed'],
  scheduler: ['cli', 'distributed'],
  distributed: ['cli', ...RUNNERS],
};
/** The lazy import() through which the runners reach src/distributed: file -> target. */
const LAZY_SEAM = { from: 'seam/backend-seam.ts', to: 'distributed/remote-factory.ts' };

interface Edge {
  from: string;
  to: string;
  lazy: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));
}

/** Every relative import of a file, resolved to a path under src/. */
function importsOf(file: string, text: string): Edge[] {
  const edges: Edge[] = [];
  const pattern = /\b(?:from\s*|import\s*\(\s*|import\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (const match of text.matchAll(pattern)) {
    const target = path
      .relative(SRC, path.resolve(path.dirname(file), match[2]))
      .split(path.sep)
      .join('/');
    edges.push({ from: path.relative(SRC, file).split(path.sep).join('/'), to: target, lazy: match[0].includes('(') });
  }
  return edges;
}

function violations(edges: Edge[]): string[] {
  return edges
    .filter(({ from, to, lazy }) => {
      const floor = from.split('/')[0];
      const forbidden = FORBIDDEN[floor] ?? [];
      if (!forbidden.includes(to.split('/')[0])) return false;
      return !(lazy && from === LAZY_SEAM.from && to === LAZY_SEAM.to);
    })
    .map(({ from, to, lazy }) => `src/${from} ${lazy ? 'import()s' : 'imports'} src/${to}`);
}

describe('dependencies run one way', () => {
  const edges = sourceFiles(SRC).flatMap((file) => importsOf(file, readFileSync(file, 'utf8')));

  it('sees the imports it checks (static, type-only, re-export, lazy)', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual({ from: LAZY_SEAM.from, to: LAZY_SEAM.to, lazy: true });
    const probe = path.join(SRC, 'parallel/probe.ts');
    const bad = [
      "import { x } from '../distributed/worker.ts';",
      "import type { y } from '../cli/main.ts';",
      "export { z } from '../distributed/index.ts';",
      "const m = await import('../distributed/remote-factory.ts');",
    ].join('\n');
    expect(violations(importsOf(probe, bad))).toHaveLength(4);
  });

  it('no runner or core imports src/distributed or src/cli; src/distributed imports no runner', () => {
    expect(violations(edges)).toEqual([]);
  });
});
