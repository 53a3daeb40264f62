// `node --import tsx bench/scale-cli.ts`: the CLI at scale (issue 17 point 4, local part).
// scale: N trivial scripts through `ergate run --json --junit` (the compiled CLI), sampling the
// CLI process every 250 ms: RSS when 10% and 100% of the scripts have finished, open fds,
// live descendants and zombies; then xargs -P on the same files for the per-script ratio.
// flood: 50 scripts each writing 20 MiB to both streams, some exiting 3: the exit code, and
// both reports complete and valid (checked by Python's json and xml parsers, which take them
// whole). Writes bench/results/scale-cli.{json,md}. Options: --n 10000,100000 --jobs 2
// --start-method forkserver --skip-flood --skip-scale --skip-xargs --tag NAME (results file suffix) --cli-args '--no-history'
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findDescendants } from '../src/script/proc-tree.ts';
import { countOpenFds } from './harness/proc.ts';
import { describeMachine, formatMachine, pickPython } from './harness/machine.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000,100000' },
    jobs: { type: 'string', default: '2' },
    'start-method': { type: 'string', default: 'forkserver' },
    'skip-flood': { type: 'boolean', default: false },
    'skip-scale': { type: 'boolean', default: false },
    'skip-xargs': { type: 'boolean', default: false },
    tag: { type: 'string', default: '' },
    'cli-args': { type: 'string', default: '' },
  },
});
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const PYTHON = pickPython();
const JOBS = Number(values.jobs);
const MIB = 2 ** 20;
const XARGS_SAMPLE = 2_000;
/** extra CLI flags for the scale runs, e.g. --cli-args=--no-history */
const CLI_ARGS = values['cli-args'].split(' ').filter(Boolean);

interface Sample {
  t: number;
  done: number;
  rssKb: number;
  fds: number;
  live: number;
  zombies: number;
  lingering: number;
}

function vmRssKb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Runs the CLI on `dir`, counting finished scripts from its plain console lines. */
async function runCli(
  dir: string,
  args: string[],
): Promise<{ code: number | null; ms: number; samples: Sample[]; stderr: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'run', dir, '--python', PYTHON, '-j', String(JOBS), ...args], {
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let done = 0;
  let partial = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (/^(PASS|FAIL|ERROR|TIMEOUT)/.test(line)) done += 1;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk.slice(0, 4096)));
  const samples: Sample[] = [];
  let lastZombies = new Set<number>();
  const timer = setInterval(() => {
    const tree = findDescendants(child.pid!);
    const zombies = new Set(tree.filter((p) => p.state === 'Z').map((p) => p.pid));
    // A zombie seen in two samples 250 ms apart is not just a child caught between exit and reap.
    const lingering = [...zombies].filter((pid) => lastZombies.has(pid)).length;
    lastZombies = zombies;
    const rssKb = vmRssKb(child.pid!);
    if (rssKb > 0)
      samples.push({
        t: Date.now() - started,
        done,
        rssKb,
        fds: countOpenFds(child.pid),
        live: tree.length - zombies.size,
        zombies: zombies.size,
        lingering,
      });
  }, 250);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  return { code, ms: Date.now() - started, samples, stderr };
}

function writeScripts(dir: string, n: number, body: (i: number) => string): void {
  mkdirSync(dir, { recursive: true });
  // 1,000 per folder: no folder of 100,000 entries.
  for (let i = 0; i < n; i++) {
    const sub = path.join(dir, `d${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(sub);
    writeFileSync(path.join(sub, `s${i}.py`), body(i));
  }
}

/** xargs -P on the first `count` scripts of `dir` (a new process per script costs the same whatever N): ms per script. */
function xargsMsPerScript(dir: string, count: number): number {
  // The list is made before the clock starts: finding 2,000 files in a folder of 100,000 must
  // not count as xargs' time.
  const list = path.join(dir, '..', `xargs-list-${path.basename(dir)}`);
  const listed = spawnSync('/bin/sh', ['-c', `find '${dir}' -name '*.py' -print0 | head -z -n ${count} > '${list}'`]);
  if (listed.status !== 0) throw new Error(`could not list the scripts: ${listed.stderr.toString()}`);
  const started = Date.now();
  const r = spawnSync('/bin/sh', ['-c', `xargs -0 -P ${JOBS} -n 1 '${PYTHON}' < '${list}' > /dev/null`]);
  if (r.status !== 0) throw new Error(`xargs failed: ${r.stderr.toString()}`);
  return (Date.now() - started) / count;
}

/** Validates a JSON and a JUnit file with Python's parsers (whole-file, no size limit like V8's strings). */
function validate(json: string, junit: string): { ok: boolean; detail: string } {
  const code = `import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
t = ET.parse(sys.argv[2]).getroot()
print(json.dumps({"total": r["total"], "results": len(r["results"]), "failed": r["failed"], "tests": t.get("tests"), "cases": len(list(t.iter("testcase")))}))`;
  const r = spawnSync(PYTHON, ['-c', code, json, junit], { maxBuffer: 1 << 20 });
  return { ok: r.status === 0, detail: r.status === 0 ? r.stdout.toString().trim() : r.stderr.toString().slice(-500) };
}

const at = (samples: Sample[], done: number): Sample | undefined => samples.find((s) => s.done >= done);
const maxOf = (samples: Sample[], key: keyof Sample): number => Math.max(0, ...samples.map((s) => s[key]));

const results: Record<string, unknown> = {
  machine: formatMachine(describeMachine(PYTHON)),
  load: os.loadavg(),
  jobs: JOBS,
  startMethod: values['start-method'],
};
const lines: string[] = [
  `# CLI at scale (bench/scale-cli.ts)`,
  '',
  `${(results.machine as string).replace(/ergate from [^·]*·/, '')}; the compiled CLI (dist/); -j ${JOBS}.`,
  `xargs -P ${JOBS} runs the first ${XARGS_SAMPLE} of the same scripts just before and just after ours (the mean of the two; its cost per script does not depend on N). Zombies: max seen in one sample (a child between exit and reap); lingering: seen in two samples 250 ms apart.`,
  '',
];
const work = mkdtempSync(path.join(os.tmpdir(), 'ergate-scale-'));
try {
  if (!values['skip-scale']) {
    lines.push(
      '| N | start method | wall s | ms/script | xargs ms/script | ours/xargs | RSS at 10% MiB | RSS at end MiB | growth MiB | fds (10% → max after) | live children max | zombies max (lingering) | exit | reports |',
      '|' + ' --- |'.repeat(14),
    );
    for (const n of values.n.split(',').map(Number)) {
      const dir = path.join(work, `n${n}`);
      writeScripts(dir, n, (i) => `print(${i})\n`);
      const reports = path.join(work, `r${n}`);
      mkdirSync(reports);
      const json = path.join(reports, 'r.json');
      const junit = path.join(reports, 'r.xml');
      // xargs just before and just after ours, averaged: the machine's load drifts over a long run.
      const xargsBefore = values['skip-xargs'] ? null : xargsMsPerScript(dir, Math.min(n, XARGS_SAMPLE));
      const run = await runCli(dir, [
        '--json',
        json,
        '--junit',
        junit,
        '--start-method',
        values['start-method'],
        ...CLI_ARGS,
      ]);
      const xargsAfter = xargsBefore === null ? null : xargsMsPerScript(dir, Math.min(n, XARGS_SAMPLE));
      const x = xargsBefore === null || xargsAfter === null ? null : (xargsBefore + xargsAfter) / 2;
      const tenth = at(run.samples, n / 10);
      const settled = run.samples.filter((s) => s.done >= n / 10);
      const end = run.samples.filter((s) => s.done >= n * 0.99);
      const rss10 = (tenth?.rssKb ?? 0) / 1024;
      const rssEnd = maxOf(end, 'rssKb') / 1024;
      const valid = validate(json, junit);
      const row = {
        n,
        wallMs: run.ms,
        msPerScript: run.ms / n,
        xargsMsPerScript: x,
        xargsBeforeAfter: [xargsBefore, xargsAfter],
        ratio: x === null ? null : run.ms / n / x,
        rss10Mib: rss10,
        rssEndMib: rssEnd,
        growthMib: rssEnd - rss10,
        fdsAt10: tenth?.fds,
        fdsMax: maxOf(settled, 'fds'),
        liveMax: maxOf(run.samples, 'live'),
        liveAtEnd: end.at(-1)?.live,
        zombiesMax: maxOf(run.samples, 'zombies'),
        lingeringZombiesMax: maxOf(run.samples, 'lingering'),
        code: run.code,
        reports: valid,
        jsonMib: statSync(json).size / MIB,
      };
      results[`scale-${n}`] = row;
      lines.push(
        `| ${n} | ${values['start-method']} | ${(run.ms / 1000).toFixed(1)} | ${row.msPerScript.toFixed(2)} | ${row.xargsMsPerScript?.toFixed(2) ?? '-'} | ${row.ratio?.toFixed(2) ?? '-'} | ${rss10.toFixed(0)} | ${rssEnd.toFixed(0)} | ${row.growthMib.toFixed(1)} | ${row.fdsAt10}→${row.fdsMax} | ${row.liveMax} | ${row.zombiesMax} (${row.lingeringZombiesMax}) | ${run.code} | ${valid.ok ? 'valid' : 'INVALID'} |`,
      );
      console.log(JSON.stringify(row));
      rmSync(dir, { recursive: true, force: true });
      rmSync(reports, { recursive: true, force: true });
    }
  }
  if (!values['skip-flood']) {
    const dir = path.join(work, 'flood');
    // 20 MiB to each stream (more than maxOutputBytes keeps: the rest is counted, not held); every 10th exits 3.
    writeScripts(
      dir,
      50,
      (i) =>
        `import sys\nchunk = "x" * 1023 + "\\n"\nfor _ in range(20 * 1024):\n    sys.stdout.write(chunk)\n    sys.stderr.write(chunk)\nsys.exit(${i % 10 === 0 ? 3 : 0})\n`,
    );
    const json = path.join(work, 'flood.json');
    const junit = path.join(work, 'flood.xml');
    const run = await runCli(dir, ['--json', json, '--junit', junit]);
    const valid = validate(json, junit);
    const row = {
      wallMs: run.ms,
      code: run.code,
      expectedCode: 1,
      rssMaxMib: maxOf(run.samples, 'rssKb') / 1024,
      jsonMib: statSync(json).size / MIB,
      junitMib: statSync(junit).size / MIB,
      reports: valid,
      stderr: run.stderr,
    };
    results.flood = row;
    console.log(JSON.stringify(row));
    lines.push(
      '',
      `Flood: 50 scripts × 20 MiB on both streams, 5 exit 3: exit ${run.code} (expected 1) in ${(run.ms / 1000).toFixed(1)} s; CLI RSS max ${row.rssMaxMib.toFixed(0)} MiB; JSON ${row.jsonMib.toFixed(0)} MiB, JUnit ${row.junitMib.toFixed(1)} MiB; reports valid: ${valid.ok} ${valid.detail}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
const base = path.join(ROOT, 'bench', 'results', `scale-cli${values.tag ? `-${values.tag}` : ''}`);
writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
