// Owns what the CLI prints while scripts run. On a TTY (and not CI, not --no-progress, not
// -v): a live cli-progress bar on stderr with counts, ETA ("estimating" until it rests on
// something) and the scripts running now, and each failure's line printed above the bar the
// moment it fails. Otherwise: one plain line per finished script on stdout (stderr under
// `--json -`; also with TERM=dumb and --show-output, whose live lines a bar would tear).
// --quiet prints neither. Scripts are named by their path relative to the working directory.
import cliProgress from 'cli-progress';
import type { ParallelEvents } from '../../parallel/events.ts';
import type { ScriptResult } from '../../script/types.ts';
import { describeLeftovers } from '../../script/classify-exit.ts';
import type { Palette } from './colors.ts';
import { formatDuration } from '../settings/parse-duration.ts';
import { ProgressEstimates } from './progress-estimates.ts';
import { isFlaky, reasonOf } from '../reports/run-report.ts';
import { displayName } from '../reports/script-names.ts';
import { failingTestLines } from '../reports/test-lines.ts';

export type ConsoleMode = 'bar' | 'lines' | 'quiet';

export function chooseMode(
  options: { quiet: boolean; progress: boolean; showOutput?: boolean; verbose?: boolean },
  env = process.env,
): ConsoleMode {
  if (options.quiet) return 'quiet';
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  const bar =
    options.progress &&
    options.showOutput !== true &&
    options.verbose !== true &&
    process.stderr.isTTY &&
    !ci &&
    env.TERM !== 'dumb';
  return bar ? 'bar' : 'lines';
}

export class ConsoleReporter {
  readonly #mode: ConsoleMode;
  readonly #paint: Palette;
  readonly #running = new Set<string>();
  readonly #counts = { passed: 0, failed: 0, timeout: 0, cancelled: 0 };
  readonly #estimates = new ProgressEstimates();
  readonly #out: NodeJS.WritableStream;
  #bar: cliProgress.SingleBar | null = null;

  /** @param out where the per-script lines go (stdout, or stderr when a report owns stdout) */
  constructor(mode: ConsoleMode, paint: Palette, out: NodeJS.WritableStream = process.stdout) {
    this.#mode = mode;
    this.#paint = paint;
    this.#out = out;
  }

  start(total: number): void {
    if (this.#mode !== 'bar') return;
    this.#bar = new cliProgress.SingleBar(
      {
        // The ETA comes from the run history when every script left has one, else from the bar's rate.
        format: (options, params, payload) => {
          const etaS = this.#estimates.etaS();
          // The bar's own rate says "0s" before anything finished: nothing to estimate from yet.
          const eta =
            etaS !== null ? formatDuration(etaS * 1000) : params.value === 0 ? 'estimating' : '{eta_formatted}';
          return cliProgress.Format.Formatter(
            { ...options, format: `{bar} {value}/{total} | {counts} | ETA ${eta} | {running}` },
            params,
            payload,
          );
        },
        hideCursor: true,
        clearOnComplete: true,
        stopOnComplete: false,
        etaBuffer: 20,
        fps: 10,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(total, 0, this.#payload());
  }

  onBatchStarted(event: ParallelEvents['batch.started']): void {
    this.#estimates.batchStarted(event.workers);
  }

  onSubmitted(event: ParallelEvents['script.submitted']): void {
    this.#estimates.submitted(event);
  }

  onSample(event: ParallelEvents['script.sample']): void {
    this.#estimates.sampled(event);
    this.#bar?.update(this.#payload());
  }

  onStarted(event: ParallelEvents['script.started']): void {
    this.#estimates.started(event.script);
    this.#running.add(displayName(event.script));
    this.#bar?.update(this.#payload());
  }

  onFinished(result: ScriptResult): void {
    this.#estimates.finished(result.script);
    this.#running.delete(displayName(result.script));
    if (result.status === 'error') this.#counts.failed += 1;
    else this.#counts[result.status] += 1;
    if (this.#bar) {
      // A failure is named at once, above the bar (erase the bar's line, print, redraw below).
      if ((result.status !== 'passed' && result.status !== 'cancelled') || result.leftovers?.length)
        process.stderr.write(`\r\u001b[2K${this.#line(result)}\n`);
      this.#bar.increment(1, this.#payload());
    } else if (this.#mode === 'lines') {
      const tests = failingTestLines(result, this.#paint, 5).map((line) => `        ${line}\n`);
      this.#out.write(`${this.#line(result)}\n${tests.join('')}`);
    }
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = null;
  }

  #payload(): { counts: string; running: string } {
    const c = this.#counts;
    // The heaviest running scripts by sampled tree memory first, then the others.
    const heavy = this.#estimates.heaviest(3).map(([script, kb]) => [displayName(script), kb] as const);
    const heavyNames = new Set(heavy.map(([name]) => name));
    const running = [
      ...heavy.map(([name, kb]) => `${name} ${formatMiB(kb)}`),
      ...[...this.#running].filter((name) => !heavyNames.has(name)),
    ];
    const shown = running.slice(0, 3).join(', ') + (running.length > 3 ? ` +${running.length - 3}` : '');
    return {
      counts: `${this.#paint.green(`${c.passed} passed`)} ${this.#paint.red(`${c.failed} failed`)} ${this.#paint.yellow(`${c.timeout} timed out`)}`,
      running: running.length ? `running: ${shown}` : '',
    };
  }

  #line(result: ScriptResult): string {
    const p = this.#paint;
    const label = {
      passed: p.green('PASS   '),
      failed: p.red('FAIL   '),
      error: p.red('ERROR  '),
      timeout: p.yellow('TIMEOUT'),
      cancelled: p.dim('CANCEL '),
    }[result.status];
    const lost = result.lostOn?.length ? `, lost on ${result.lostOn.join(', ')}` : '';
    const retried = (result.attempts ?? 1) > 1 ? ` (attempt ${result.attempts}${lost})` : '';
    const flaky = isFlaky(result) ? ` ${p.yellow('flaky')}` : '';
    const why = result.status === 'passed' ? '' : `  ${p.dim(reasonOf(result))}`;
    const leftovers = result.leftovers?.length ? describeLeftovers(result.leftovers) : '';
    const left = leftovers && leftovers !== result.error ? `  ${p.yellow(leftovers)}` : '';
    return `${label} ${displayName(result.script)}  ${p.dim(formatDuration(result.durationMs))}${retried}${flaky}${why}${left}`;
  }
}

function formatMiB(kb: number): string {
  return kb >= 1024 * 1024 ? `${(kb / 1024 / 1024).toFixed(1)}G` : `${Math.round(kb / 1024)}M`;
}
