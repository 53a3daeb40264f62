// Owns which scripts a run gets, in order: the config file is read, the arguments expanded
// (collect-scripts.ts, with the excludes; no argument: the config's `paths`, else the working
// folder), -k keeps the paths containing its text (in pytest mode -k goes to pytest instead),
// then --shard takes this machine's share (by count, or by duration with --durations-file),
// then --resume-failed drops what passed in the joblog and --last-failed keeps what failed
// last time. Sharding comes before both, so a shard's share never depends on what an earlier
// run of it did.
import path from 'node:path';
import { DEFAULT_HISTORY_PATH, HistoryStore } from '../../resources/history-store.ts';
import { isFailure } from '../../seam/execution-result.ts';
import { collectScripts } from './collect-scripts.ts';
import { loadConfig } from '../settings/config-file.ts';
import { durationKey, readDurations } from './durations-file.ts';
import { readJoblog, selectNotPassed } from '../reports/joblog.ts';
import type { CliOptions } from '../settings/parse-cli-args.ts';
import { resolveSettings, type RunSettings } from '../settings/resolve-settings.ts';
import { displayName, plural } from '../reports/script-names.ts';
import { selectShard } from './shard.ts';
import { selectShardByDuration } from './shard-by-duration.ts';
import { UsageError } from '../settings/usage.ts';

export interface Selection {
  scripts: string[];
  settings: RunSettings;
  /** why `scripts` is empty (a run with nothing to do exits 0 with this line) */
  nothingToRun: string | null;
  /** said on stderr before the run: excludes that matched nothing, --last-failed's choice */
  notes: string[];
}

export async function selectScripts(options: CliOptions): Promise<Selection> {
  const config = loadConfig(options.config);
  const settings = resolveSettings(options, config);
  const cwd = process.cwd();
  const paths =
    options.paths.length > 0 ? options.paths : (config?.paths?.map((p) => path.relative(cwd, p) || '.') ?? ['.']);
  let all = await collectScripts(paths, settings.pattern, cwd, settings.excluded);
  const notes = settings.excludes.unusedWarnings();
  if (options.keyword !== undefined && !settings.pytest) {
    const keyword = options.keyword;
    const kept = all.filter((script) => displayName(script).includes(keyword));
    if (kept.length === 0)
      throw new UsageError(`-k "${keyword}": no script path contains it (of ${plural(all.length, 'script')})`);
    all = kept;
  }
  let scripts = all;
  if (options.shard && options.durationsFile !== undefined) {
    const durations = readDurations(options.durationsFile);
    scripts = selectShardByDuration(all, options.shard, (script) => durations.get(durationKey(script, cwd)));
  } else if (options.shard) {
    scripts = selectShard(all, options.shard);
  }
  if (scripts.length === 0) {
    const { index, count } = options.shard!;
    return {
      scripts,
      settings,
      notes,
      nothingToRun: `Nothing to run: shard ${index}/${count} of ${all.length} scripts is empty.`,
    };
  }
  if (options.resumeFailed) scripts = selectNotPassed(scripts, readJoblog(options.joblog!));
  if (scripts.length === 0)
    return { scripts, settings, notes, nothingToRun: 'Nothing to resume: every script passed in the joblog.' };
  if (options.lastFailed) {
    const history = new HistoryStore(DEFAULT_HISTORY_PATH);
    const failed = scripts.filter((script) => {
      const runs = history.runs(script);
      return runs.length > 0 && isFailure(runs[runs.length - 1].status);
    });
    if (failed.length === 0)
      notes.push(`--last-failed: no script failed last time; running all ${plural(scripts.length, 'script')}`);
    else notes.push(`--last-failed: running the ${plural(failed.length, 'script')} that failed last time`);
    if (failed.length > 0) scripts = failed;
  }
  return { scripts, settings, notes, nothingToRun: null };
}
