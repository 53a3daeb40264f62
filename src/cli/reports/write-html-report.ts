// Writes the --html report: one self-contained page (html/page.html with html/page.css,
// html/page.js and the run's PageData inlined; nothing loaded from the network) built from a
// live run's results as they arrive, or from a saved JSON report (renderHtmlReport, used by
// `ergate report` and `ergate merge-reports`). The data is inlined as JSON that can never close
// its <script> element, and the page text goes through ReportFile like every other report.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../internal/worker-file.ts';
import type { ScriptResult } from '../../script/types.ts';
import type { ReportFile } from './report-file.ts';
import type { RunOutcome } from './run-report.ts';
import { readVersion } from '../settings/usage.ts';
import type { JsonReport } from './write-json-report.ts';
import type { PageData } from './html-page-data.ts';
import { HtmlPageBuilder, type RunFacts } from './html-page-builder.ts';

/** Where page.html, page.css and the scripts live, from source and from the installed package. */
export const PAGE_ASSETS = path.join(packageRoot, 'src', 'cli', 'reports', 'html');
/** The page's scripts, inlined in this order (each adds to one `Ergate` namespace). */
const SCRIPTS = ['common.js', 'timeline.js', 'memory-chart.js', 'page.js'];

let assets: { html: string; css: string; js: string } | null = null;

function pageAssets(): { html: string; css: string; js: string } {
  const read = (name: string): string => readFileSync(path.join(PAGE_ASSETS, name), 'utf8');
  assets ??= { html: read('page.html'), css: read('page.css'), js: SCRIPTS.map(read).join('\n') };
  return assets;
}

/** The whole page for `data`. */
export function renderPage(data: PageData): string {
  const { html, css, js } = pageAssets();
  const title = `ergate run ${data.startTime.slice(0, 19).replace('T', ' ')}`;
  const parts: Record<string, string> = {
    title: escapeHtml(title),
    css,
    // "<" as \u003c: no string in the data (a script's output) can end the <script> element.
    data: JSON.stringify(data).replace(/</g, '\\u003c'),
    js: js.replace(/<\/(script)/gi, '<\\/$1'),
  };
  // One pass over the template: text put in is never searched for markers again.
  return html.replace(
    /\{\{(title|data)\}\}|\/\*\{\{(css|js)\}\}\*\//g,
    (_, a?: string, b?: string) => parts[(a ?? b)!],
  );
}

/** The page for a saved (or merged) JSON report. */
export function renderHtmlReport(report: JsonReport): string {
  const builder = new HtmlPageBuilder();
  for (const result of report.results) builder.add(result);
  return renderPage(
    builder.build({
      startTime: report.startTime,
      durationMs: report.durationMs,
      total: report.total,
      interrupted: report.interrupted,
      halted: report.halted,
      notStarted: report.notStarted,
      jobs: report.jobs ?? null,
      memoryBudgetMb: report.memoryBudgetMb ?? null,
      ergateVersion: readVersion(),
    }),
  );
}

/** The --html report of a live run: results as they arrive, the page at the end. */
export class HtmlReportWriter {
  readonly #report: ReportFile;
  readonly #startTime: string;
  readonly #builder = new HtmlPageBuilder();

  constructor(report: ReportFile, startTime: string) {
    this.#report = report;
    this.#startTime = startTime;
  }

  add(result: ScriptResult): void {
    this.#builder.add(result);
  }

  finish(outcome: RunOutcome): Promise<void> {
    const facts: RunFacts = {
      startTime: this.#startTime,
      durationMs: outcome.counts.durationMs,
      total: outcome.counts.total,
      interrupted: outcome.interrupted,
      halted: outcome.halted,
      notStarted: outcome.notStarted.map((s) => s.script),
      jobs: outcome.jobs ?? null,
      memoryBudgetMb: outcome.memoryBudgetMb ?? null,
      ergateVersion: readVersion(),
    };
    this.#report.write(renderPage(this.#builder.build(facts)));
    return this.#report.commit();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
