// Entry of the ergate CLI (`ergate run <files|folders|globs...>`). Owns the run's outer
// lifecycle: parse flags (bad usage -> exit 2 with a hint), select scripts, run them on one
// ParallelRunner, stream joblog lines and console output, then write the reports and the
// summary. SIGINT/SIGTERM cancel the run; reports of what finished are still written and
// the exit code is 130, only after every child has been reaped (runScripts guarantees it).
import { pathToFileURL } from 'node:url';
import { debuglog } from 'node:util';
import mittImport from 'mitt';
import { ParallelRunner } from '../parallel/parallel-runner.ts';
import type { ParallelEvents } from '../parallel/events.ts';
import { resolvePython } from '../script/python.ts';
import { collectScripts } from './collect-scripts.ts';
import { createPalette, wantsColor } from './colors.ts';
import { chooseMode, ConsoleReporter } from './console-reporter.ts';
import { JoblogWriter, readJoblog, selectNotPassed } from './joblog.ts';
import { parseCliArgs, type CliOptions } from './parse-cli-args.ts';
import { formatSummary } from './print-summary.ts';
import { checkReportPath } from './report-file.ts';
import type { RunReport } from './run-report.ts';
import { HELP, HINT, readVersion, UsageError } from './usage.ts';
import { writeJsonReport } from './write-json-report.ts';
import { writeJunitReport } from './write-junit-report.ts';

const debug = debuglog('ergate');
// mitt ships CommonJS-style typings: under NodeNext TypeScript sees a namespace, while the
// ESM build Node loads exports the factory as default.
const mitt = mittImport as unknown as typeof mittImport.default;

export const EXIT = { passed: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Runs the CLI and returns its exit code; never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  try {
    // `ergate worker ...` (issue 9) has its own flags: src/cli/worker-command.ts.
    // Loaded only here: bullmq and ioredis cost ~0.2 s of start-up every other command skips.
    if (argv[0] === 'worker') return await (await import('./worker-command.ts')).runWorkerCommand(argv.slice(1));
    const options = parseCliArgs(argv);
    if (options.command === 'help') return print(HELP, EXIT.passed);
    if (options.command === 'version') return print(readVersion(), EXIT.passed);
    return await runCommand(options);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`ergate: ${error.message}\n${HINT}\n`);
    return EXIT.usage;
  }
}

async function runCommand(options: CliOptions): Promise<number> {
  // Refused before anything runs: a report is never written through a symbolic link.
  for (const [flag, file] of [['--json', options.json], ['--junit', options.junit], ['--joblog', options.joblog]] as const) {
    const problem = file === undefined ? null : checkReportPath(file);
    if (problem) throw new UsageError(`${flag}: ${problem}`);
  }
  let scripts = await collectScripts(options.paths, options.pattern);
  if (options.resumeFailed) {
    scripts = selectNotPassed(scripts, readJoblog(options.joblog!));
    if (scripts.length === 0) return print('Nothing to resume: every script passed in the joblog.', EXIT.passed);
  }
  // A wrong --python is a usage mistake, found before anything starts.
  const python = await resolvePython(options.python).catch((error: Error) => {
    throw new UsageError(`--python: ${error.message}`);
  });

  const paint = createPalette(wantsColor(process.stdout));
  const reporter = new ConsoleReporter(chooseMode(options), paint);
  const joblog = options.joblog ? new JoblogWriter(options.joblog) : null;
  const bus = mitt<ParallelEvents>();
  bus.on('script.started', (event) => reporter.onStarted(event));
  bus.on('script.finished', (event) => {
    joblog?.append(event.result);
    reporter.onFinished(event.result);
  });
  const runner = new ParallelRunner({
    maxWorkers: options.jobs,
    defaultTimeoutMs: options.timeoutMs,
    memoryLimitMb: options.memoryMb,
    cpuTimeLimitS: options.cpuTimeS,
    failFast: options.failFast,
    retries: options.retries,
    python,
    eventBus: bus,
    ...(options.startMethod !== undefined && { startMethod: options.startMethod }),
    ...(options.preload !== undefined && { preload: options.preload }),
    ...(options.redis !== undefined && { backend: { redis: options.redis, queue: options.queue, root: options.root } }),
  });
  // The run id lets another coordinator re-attach (attachRun) if this one dies.
  bus.on('batch.started', (event) => { if (event.runId) process.stderr.write(`ergate: run id ${event.runId}\n`); });

  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort(new Error('interrupted'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const startTime = new Date().toISOString();
  reporter.start(scripts.length);
  let report: RunReport;
  try {
    const result = await runner.runScripts(scripts, { signal: interrupt.signal });
    report = { scripts, results: result.results, counts: result.toJSON(), interrupted: interrupt.signal.aborted, startTime };
  } finally {
    reporter.stop();
    await runner.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (options.json) writeJsonReport(options.json, report);
  if (options.junit) writeJunitReport(options.junit, report);
  process.stdout.write(`${formatSummary(report, paint, options.quiet)}\n`);
  if (report.interrupted) return EXIT.interrupted;
  return report.counts.success ? EXIT.passed : EXIT.failed;
}

function print(text: string, code: number): number {
  process.stdout.write(`${text}\n`);
  return code;
}

/** Runs main() and sets process.exitCode; used by bin/ergate.js and `node src/cli/main.ts`. */
export async function runCli(argv = process.argv.slice(2)): Promise<void> {
  const code = await main(argv).catch((error: unknown) => {
    process.stderr.write(`ergate: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 70;
  });
  process.exitCode = code;
  // Everything is closed and reaped by now; if a stray handle still holds the event loop,
  // exit anyway rather than hang a CI job (unref'd: it never delays a clean exit).
  setTimeout(() => {
    debug('a handle kept the CLI alive after the run; exiting with %d', code);
    process.exit(code);
  }, 2_000).unref();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runCli();
