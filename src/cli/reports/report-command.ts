// `ergate report run.json --html out.html`: builds the HTML report from a saved (or merged)
// JSON report, the same page `ergate run --html` writes. Bad usage (no report, no --html, an
// unreadable or foreign file, a target that cannot take a report) is a UsageError, exit 2;
// the page is written atomically through the same report-file writer as every report.
import { parseFlags } from '../settings/parse-flags.ts';
import { ReportFile } from './report-file.ts';
import { resolveReportTarget } from './report-target.ts';
import { UsageError } from '../settings/usage.ts';
import { readJsonReport } from './read-json-report.ts';
import { renderHtmlReport } from './write-html-report.ts';

export const REPORT_HELP = `Usage: ergate report REPORT.json --html FILE

Builds the self-contained HTML report (timeline, memory, failures) from a JSON report
written by 'ergate run --json'.`;

const OPTIONS = { html: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** Runs `ergate report`; returns the exit code. @throws UsageError */
export async function runReportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS, true);
  if (values.help) {
    process.stdout.write(`${REPORT_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('report: expected one JSON report, e.g. ergate report run.json --html out.html');
  if (values.html === undefined) throw new UsageError('report: expected --html FILE (the page to write)');
  const target = resolveReportTarget(values.html);
  if ('problem' in target) throw new UsageError(`--html: ${target.problem}`);
  const report = readJsonReport(positionals[0], 'report');
  const page = renderHtmlReport(report);
  const out = new ReportFile(target.file, target.kind);
  out.write(page);
  await out.commit();
  return 0;
}
