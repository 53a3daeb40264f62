// Entry of the ergate CLI (`ergate run <files|folders|globs...>`). Owns the run's outer
// lifecycle: parse flags and the config file (bad usage -> exit 2 with a hint), select
// scripts, run them on one ParallelRunner's stream (console, joblog, JSON and JUnit take
// each result as it arrives, so memory stays bounded whatever the run's size), live output
// and console lines, apply the stopping rule (--halt, --maxfail, --fail-fast), then finish the reports
// and print the summary. SIGINT/SIGTERM cancel the run; reports of what finished are still
// written and the exit code is 130 (SIGTERM: 143), only after every child has been reaped
// (runScripts guarantees it). Report paths are checked before anything runs (bad ones exit 2).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { debuglog } from 'node:util';
import mittImport from 'mitt';
import { RedisUnreachableError } from '../seam/redis-target.ts';
import { missingPeer } from '../internal/optional-peer.ts';
import { ParallelRunner } from '../parallel/parallel-runner.ts';
import { DEFAULT_HISTORY_PATH } from '../resources/history-store.ts';
import { resolveMemoryBudgetMb } from '../resources/memory-admission.ts';
import type { ParallelEvents } from '../parallel/events.ts';
import { findInterpreter } from '../script/prepare-script.ts';
import { createPalette, wantsColor } from './console/colors.ts';
import { chooseMode, ConsoleReporter } from './console/console-reporter.ts';
import { guardConsoleStreams } from './console/console-output.ts';
import { HaltTracker } from './control/halt-rule.ts';
import { LiveOutput } from './console/live-output.ts';
import { runMergeReports } from './merge-reports.ts';
import { parseCliArgs, type CliOptions } from './settings/parse-cli-args.ts';
import { formatSummary } from './console/print-summary.ts';
import { checkReportTargets, resolveReportTarget, isStdout } from './reports/report-target.ts';
import { storeDurations } from './selection/durations-file.ts';
import { ensureErgateFolder } from './reports/ergate-folder.ts';
import { listScripts } from './selection/list-scripts.ts';
import { RunReports } from './reports/run-reports.ts';
import { RunSummary, type RunOutcome } from './reports/run-report.ts';
import { plural } from './reports/script-names.ts';
import { pytestRunOptions } from './selection/pytest-root.ts';
import { IMPORTS_FILE, PreloadAuto } from './settings/preload-auto.ts';
import { describeRefusals, PROBE_CACHE_FILE, probeModulesCached } from './settings/preload-probe.ts';
import { selectScripts } from './selection/select-scripts.ts';
import { handleInterrupts } from './control/interrupts.ts';
import { HELP, HINT, readVersion, UsageError } from './settings/usage.ts';
import { argumentsWithBytes } from './settings/argument-bytes.ts';

const debug = debuglog('ergate');
// mitt ships CommonJS-style typings: under NodeNext TypeScript sees a namespace, while the
// ESM build Node loads exports the factory as default.
const mitt = mittImport as unknown as typeof mittImport.default;

/** 70 (EX_SOFTWARE): ergate itself failed; the message starts "ergate: internal error". */
export const EXIT = { passed: 0, failed: 1, usage: 2, internal: 70, interrupted: 130, terminated: 143 } as const;

/** Runs the CLI and returns its exit code; never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  guardConsoleStreams();
  try {
    // `ergate help worker` is `ergate worker --help`.
    const args = argv[0] === 'help' && argv[1] === 'worker' ? ['worker', '--help'] : argv;
    // `ergate worker ...` (issue 9) has its own flags: src/cli/worker-command.ts.
    // Loaded only here: bullmq and ioredis cost ~0.2 s of start-up every other command skips.
    if (args[0] === 'worker') {
      const missing = args.includes('--help') || args.includes('-h') ? null : missingPeer('bullmq', 'ergate worker');
      if (missing) throw new UsageError(missing);
      return await (await import('./worker-command.ts')).runWorkerCommand(args.slice(1));
    }
    if (args[0] === 'merge-reports') return await runMergeReports(args.slice(1));
    if (args[0] === 'report')
      return await (await import('./reports/report-command.ts')).runReportCommand(args.slice(1));
    const options = parseCliArgs(args);
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
  const distributed = options.redis !== undefined || options.redisCluster !== undefined;
  const missing = distributed
    ? missingPeer('bullmq', options.redis !== undefined ? '--redis' : '--redis-cluster')
    : null;
  if (missing) throw new UsageError(missing);
  // `--json -`: the report owns stdout; every human line goes to stderr.
  const human = isStdout(options.json) || isStdout(options.junit) ? process.stderr : process.stdout;
  const warn = (message: string): void => void process.stderr.write(`ergate: ${message}\n`);
  const { scripts, settings, nothingToRun, notes } = await selectScripts(options);
  for (const note of notes) warn(note);
  if (nothingToRun !== null) return print(nothingToRun, EXIT.passed, human);
  const preloadAuto = options.preloadAuto ? new PreloadAuto(IMPORTS_FILE) : null;
  if (options.list) {
    listScripts(scripts, options.order, human);
    if (preloadAuto)
      human.write(
        `preload auto: ${preloadAuto.modulesFor(scripts, settings.pytest).join(', ') || '(nothing learned yet)'}\n`,
      );
    return EXIT.passed;
  }
  const targets = checkReportTargets({ ...options, html: settings.html });
  if (options.storeDurations !== undefined) checkStoreTarget(options.storeDurations);
  // A wrong --python is a usage mistake, found before anything starts.
  const python = await findInterpreter(settings.python, options.startMethod ?? 'spawn').catch((error: Error) => {
    throw new UsageError(error instanceof TypeError ? error.message : `--python: ${error.message}`);
  });

  const paint = createPalette(
    options.color === 'auto' || !options.color ? wantsColor(human) : options.color === 'always',
  );
  const reporter = new ConsoleReporter(chooseMode(options), paint, human);
  const startTime = new Date().toISOString();
  let reports: RunReports;
  try {
    reports = new RunReports(targets, startTime, warn);
  } catch (error) {
    throw new UsageError(`cannot write the reports: ${(error as Error).message}`);
  }
  const summary = new RunSummary(options.slowest);
  const live = options.showOutput ? new LiveOutput({ stdout: human, stderr: process.stderr }) : null;
  if (options.history !== false) ensureErgateFolder(DEFAULT_HISTORY_PATH);
  const halt = options.halt ? new HaltTracker(options.halt) : null;
  const haltNow = new AbortController();
  const stopStarting = new AbortController();
  let halted: string | null = null;
  const bus = mitt<ParallelEvents>();
  bus.on('script.started', (event) => reporter.onStarted(event));
  bus.on('script.skipped', (event) => summary.skipped(event.index));
  bus.on('script.submitted', (event) => reporter.onSubmitted(event));
  bus.on('script.sample', (event) => reporter.onSample(event));
  // The stopping rule is decided on the event, synchronously, before the run starts another
  // script; the stream's consumer may see the result a little later.
  bus.on('script.finished', (event) => {
    const reason = halt?.onFinished(event.status) ?? null;
    if (reason === null) return;
    halted = reason;
    (options.halt!.when === 'now' ? haltNow : stopStarting).abort(new Error(reason));
  });
  // For the reports: 'auto' resolves here as the runner resolves it at its start.
  const budget = options.memoryBudgetMb;
  const memoryBudgetMb = budget === undefined ? null : resolveMemoryBudgetMb(budget);
  const runner = new ParallelRunner({
    maxWorkers: settings.jobs,
    defaultTimeoutMs: settings.timeoutMs,
    memoryLimitMb: settings.memoryMb,
    cpuTimeLimitS: settings.cpuTimeS,
    retries: settings.retries,
    python,
    eventBus: bus,
    ...(settings.failOnLeftovers && { failOnLeftovers: true }),
    ...(options.startMethod !== undefined && { startMethod: options.startMethod }),
    ...(options.preload !== undefined && { preload: options.preload }),
    ...(preloadAuto && { preload: await preloadFor(preloadAuto, scripts, settings.pytest, python, warn) }),
    history: options.history === false ? false : DEFAULT_HISTORY_PATH,
    ...(options.order !== undefined && { order: options.order }),
    ...(options.sampleMs !== undefined && { sampleMs: options.sampleMs }),
    ...(options.treeMemoryMb !== undefined && { treeMemoryLimitMb: options.treeMemoryMb }),
    ...(options.memoryBudgetMb !== undefined && { memoryBudgetMb: options.memoryBudgetMb }),
    ...(distributed && {
      backend: {
        ...(options.redisCluster !== undefined ? { redisCluster: options.redisCluster } : { redis: options.redis }),
        queue: options.queue,
        root: options.root,
        redisTimeoutMs: options.redisTimeoutMs,
      },
    }),
  });
  // The run id lets another coordinator re-attach (attachRun) if this one dies.
  bus.on('batch.started', (event) => reporter.onBatchStarted(event));
  bus.on('batch.started', (event) => {
    if (event.runId) process.stderr.write(`ergate: run id ${event.runId}\n`);
  });

  const interrupt = new AbortController();
  let interruptedBy: NodeJS.Signals | null = null;
  // A second signal exits at once (src/cli/control/interrupts.ts).
  const releaseSignals = handleInterrupts((signal) => {
    interruptedBy ??= signal;
    interrupt.abort(new Error('interrupted'));
  });
  reporter.start(scripts.length);
  let outcome: RunOutcome;
  const started = performance.now();
  try {
    const configs = settings.configsFor(scripts);
    const stream = runner.stream(scripts, {
      signal: AbortSignal.any([interrupt.signal, haltNow.signal]),
      ...(options.timeoutPercent !== undefined && {
        timeoutMs: {
          percentOfMedian: options.timeoutPercent,
          minMs: options.timeoutMinMs,
          maxMs: options.timeoutMaxMs,
        },
      }),
      stopStarting: stopStarting.signal,
      ...(settings.env && { env: settings.env }),
      ...(settings.pytest && pytestRunOptions(options.paths)),
      ...(preloadAuto && { recordImports: true }),
      ...(configs && { configs }),
      ...(live && {
        onOutput: (script: string, stream: 'stdout' | 'stderr', chunk: string) => live.write(script, stream, chunk),
      }),
    });
    // On the stream: each result goes to the console and every report as it arrives, then
    // is dropped; only what the summary needs is kept.
    for await (const result of stream) {
      live?.flush(result.script);
      reports.add(result);
      summary.add(result);
      reporter.onFinished(result);
      preloadAuto?.add(result);
    }
    outcome = {
      ...summary.outcome(scripts, Math.round(performance.now() - started), interrupt.signal.aborted, halted),
      jobs: runner.maxWorkers,
      memoryBudgetMb,
    };
  } catch (error) {
    reports.discard();
    // Redis not there at the start is the run's failure, said in one line, not ergate's bug.
    if (error instanceof RedisUnreachableError) {
      process.stderr.write(`ergate: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  } finally {
    reporter.stop();
    await runner.close();
    releaseSignals();
  }
  preloadAuto?.save(warn);
  const written = await reports.finish(outcome);
  human.write(`${formatSummary(summary.report(outcome), paint, options.quiet, options.slowest)}\n`);
  if (options.storeDurations !== undefined) {
    const stored = storeDurations(options.storeDurations, scripts, DEFAULT_HISTORY_PATH);
    warn(`stored the median durations of ${plural(stored, 'script')} in ${options.storeDurations}`);
  }
  if (outcome.interrupted) return interruptedBy === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  return outcome.counts.success && written ? EXIT.passed : EXIT.failed;
}

/** The learned modules that can be preloaded; each one left out is said once. */
async function preloadFor(
  auto: PreloadAuto,
  scripts: string[],
  pytest: boolean,
  python: string,
  warn: (message: string) => void,
): Promise<string[]> {
  const probe = await probeModulesCached(python, auto.modulesFor(scripts, pytest), process.cwd(), PROBE_CACHE_FILE);
  for (const line of describeRefusals(probe)) warn(line);
  return probe.ok;
}

function print(text: string, code: number, out: NodeJS.WritableStream = process.stdout): number {
  out.write(`${text}\n`);
  return code;
}

/** --store-durations FILE must be a regular file ergate can replace: checked before the run. */
function checkStoreTarget(file: string): void {
  const target = resolveReportTarget(file);
  if ('problem' in target || target.kind !== 'file')
    throw new UsageError(
      `--store-durations: ${'problem' in target ? target.problem : `${file} is not a regular file`}`,
    );
}

/** Runs main() and sets process.exitCode; used by bin/ergate.js and `node src/cli/main.ts`. */
export async function runCli(argv = process.argv.slice(2)): Promise<void> {
  const code = await main(argumentsWithBytes(argv)).catch((error: unknown) => {
    process.stderr.write(`ergate: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.internal;
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
