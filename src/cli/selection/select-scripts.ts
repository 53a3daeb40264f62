// Owns which scripts a run gets, in order: the config file is read, the arguments expanded
// (collect-scripts.ts, with --exclude), then --shard takes this machine's share of the sorted
// list, then --resume-failed drops what passed in the joblog. Sharding comes before resuming,
// so a shard's share never depends on what an earlier run of it did.
import { collectScripts } from './collect-scripts.ts';
import { loadConfig } from '../settings/config-file.ts';
import { readJoblog, selectNotPassed } from '../reports/joblog.ts';
import type { CliOptions } from '../settings/parse-cli-args.ts';
import { resolveSettings, type RunSettings } from '../settings/resolve-settings.ts';
import { selectShard } from './shard.ts';

export interface Selection {
  scripts: string[];
  settings: RunSettings;
  /** why `scripts` is empty (a run with nothing to do exits 0 with this line) */
  nothingToRun: string | null;
}

export async function selectScripts(options: CliOptions): Promise<Selection> {
  const settings = resolveSettings(options, loadConfig(options.config));
  const all = await collectScripts(options.paths, settings.pattern, process.cwd(), settings.excluded);
  let scripts = options.shard ? selectShard(all, options.shard) : all;
  if (scripts.length === 0) {
    return {
      scripts,
      settings,
      nothingToRun: `Nothing to run: shard ${options.shard!.index}/${options.shard!.count} of ${all.length} scripts is empty.`,
    };
  }
  if (options.resumeFailed) scripts = selectNotPassed(scripts, readJoblog(options.joblog!));
  const nothingToRun = scripts.length === 0 ? 'Nothing to resume: every script passed in the joblog.' : null;
  return { scripts, settings, nothingToRun };
}
