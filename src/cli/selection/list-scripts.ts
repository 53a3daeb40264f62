// Owns --list / --dry-run: the scripts that would run, one path (relative to the working
// folder) a line on stdout, in the order they would start (--order is honoured, from the
// history), then a count on stderr, so a pipe gets a clean list and a terminal the total.
import { DEFAULT_HISTORY_PATH, HistoryStore } from '../../resources/history-store.ts';
import { RunEstimates } from '../../resources/run-estimates.ts';
import { orderScripts, type RunOrder } from '../../resources/run-order.ts';
import { displayName, plural } from '../reports/script-names.ts';

export function listScripts(
  scripts: readonly string[],
  order: RunOrder | undefined,
  out: NodeJS.WritableStream = process.stdout,
): void {
  const ordered =
    order === undefined || order === 'given'
      ? scripts
      : orderScripts(
          scripts.map((script) => ({ script })),
          order,
          new RunEstimates(new HistoryStore(DEFAULT_HISTORY_PATH)),
        ).map((item) => item.script);
  out.write(ordered.map((s) => `${displayName(s)}\n`).join(''));
  process.stderr.write(`${plural(ordered.length, 'script')} would run.\n`);
}
