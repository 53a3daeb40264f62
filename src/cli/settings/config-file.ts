// Owns the config file: --config FILE, else ergate.config.json, else [tool.ergate] in
// pyproject.toml (smol-toml), in the working directory. Validated once here (valibot for the
// shape, setting-values.ts for each value), so a typo'd key or a bad value stops the run
// before anything starts, naming the file, the key and the rule.
import { expectedGot } from '../../internal/option-schemas.ts';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import * as v from 'valibot';
import { closestMatch } from '../../internal/did-you-mean.ts';
import { globMatcher, type PathMatcher } from '../selection/path-glob.ts';
import { readCount, readCpuTimeS, readJobs, readMemoryMb, readTimeout } from './setting-values.ts';
import { UsageError } from './usage.ts';

/** What a config can set for a script, as the runner's ScriptConfig names it. */
export interface ScriptSettings {
  timeoutMs?: number;
  memoryLimitMb?: number;
  cpuTimeLimitS?: number;
  retries?: number;
  args?: string[];
  env?: Record<string, string>;
  allowedExitCodes?: number[];
}

export interface ErgateConfig {
  file: string;
  /** what `ergate run` without arguments runs (pytest's testpaths), absolute */
  paths?: string[];
  jobs?: number;
  pattern?: string;
  exclude: string[];
  python?: string;
  /** run test files with pytest (as --pytest) */
  pytest?: boolean;
  /** the --html report's path (relative to the working directory) */
  html?: string;
  /** --fail-on-leftovers: a passing script that left processes running is 'failed' */
  failOnLeftovers?: boolean;
  /** every script's settings */
  defaults: ScriptSettings;
  /** later entries win; `matches` takes an absolute script path */
  overrides: Array<{ matches: PathMatcher; settings: ScriptSettings }>;
}

/** A NUL byte cannot cross exec (C strings end there). */
function noNul<S extends v.GenericSchema<unknown, string>>(schema: S) {
  return v.pipe(
    schema,
    v.check((text) => !text.includes('\0'), 'a NUL byte cannot be passed to a script'),
  );
}
const glob = v.pipe(v.string(), v.minLength(1, 'expected a non-empty glob'));

const durationOrNumber = v.union([v.string(), v.number()], 'expected a string such as "30s" or a number');
const settingsShape = {
  timeout: v.optional(durationOrNumber),
  memory: v.optional(durationOrNumber),
  cpuTime: v.optional(durationOrNumber),
  retries: v.optional(v.number('expected a number')),
  args: v.optional(v.array(noNul(v.string('expected a string')), 'expected an array of strings')),
  env: v.optional(
    v.record(noNul(v.string()), noNul(v.string('expected a string value')), 'expected a table of strings'),
  ),
  allowedExitCodes: v.optional(
    v.array(
      v.pipe(
        v.number('expected an integer'),
        v.integer('expected an integer'),
        v.minValue(0, 'expected an exit code from 0 to 255'),
        v.maxValue(255, 'expected an exit code from 0 to 255'),
      ),
      'expected an array of integers',
    ),
  ),
};
const overrideSchema = v.object({
  files: v.union(
    [glob, v.pipe(v.array(glob), v.minLength(1, 'expected at least one glob'))],
    'expected a glob or a non-empty array of globs',
  ),
  ...settingsShape,
});
const configSchema = v.object({
  jobs: v.optional(durationOrNumber),
  pattern: v.optional(v.string('expected a glob')),
  paths: v.optional(v.array(v.string('expected a path'), 'expected an array of files, folders or globs')),
  exclude: v.optional(v.array(v.string('expected a glob'), 'expected an array of globs')),
  python: v.optional(v.string('expected a path')),
  pytest: v.optional(v.boolean('expected true or false')),
  html: v.optional(v.string('expected a path')),
  failOnLeftovers: v.optional(v.boolean('expected true or false')),
  overrides: v.optional(v.array(overrideSchema, 'expected an array of tables, each with "files"')),
  ...settingsShape,
});
const TOP_KEYS = Object.keys(configSchema.entries);
const OVERRIDE_KEYS = Object.keys(overrideSchema.entries);

/** The config in force, or null when there is none. */
export function loadConfig(explicit: string | undefined, cwd = process.cwd()): ErgateConfig | null {
  const found = explicit !== undefined ? path.resolve(cwd, explicit) : findConfig(cwd);
  if (found === null) return null;
  if (!existsSync(found)) throw new UsageError(`--config: no such file: ${explicit}`);
  const raw = readRaw(found);
  if (raw === undefined) return null; // a pyproject.toml without [tool.ergate]
  return toConfig(found, raw);
}

function findConfig(cwd: string): string | null {
  const json = path.join(cwd, 'ergate.config.json');
  if (existsSync(json)) return json;
  const pyproject = path.join(cwd, 'pyproject.toml');
  return existsSync(pyproject) ? pyproject : null;
}

function readRaw(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    if (file.endsWith('.toml')) {
      const doc = parseToml(text) as { tool?: { ergate?: unknown } };
      return path.basename(file) === 'pyproject.toml' ? doc.tool?.ergate : doc;
    }
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `${file}: not valid ${file.endsWith('.toml') ? 'TOML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

/** The settings of a config file's parsed content (`raw`); a UsageError naming the key if bad. */
export function toConfig(file: string, raw: unknown): ErgateConfig {
  const where = path.basename(file) === 'pyproject.toml' ? `${file} [tool.ergate]` : file;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UsageError(`${where}: ${expectedGot('a table of settings (an object)', raw)}`);
  checkKeys(where, raw, TOP_KEYS);
  const result = v.safeParse(configSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const key = v.getDotPath(issue) ?? '(top level)';
    throw new UsageError(`${where}: ${key}: ${issue.message}`);
  }
  const c = result.output;
  const base = path.dirname(file);
  const overrides = (c.overrides ?? []).map((entry, i) => {
    checkKeys(`${where}: overrides[${i}]`, entry, OVERRIDE_KEYS);
    return { matches: globMatcher(entry.files, base), settings: readSettings(`${where}: overrides[${i}]`, entry) };
  });
  return {
    file,
    ...(c.jobs !== undefined && { jobs: readJobs(`${where}: jobs`, c.jobs) }),
    ...(c.pattern !== undefined && { pattern: c.pattern }),
    ...(c.paths !== undefined && { paths: c.paths.map((p) => path.resolve(base, p)) }),
    ...(c.python !== undefined && { python: c.python }),
    ...(c.pytest !== undefined && { pytest: c.pytest }),
    ...(c.html !== undefined && { html: c.html }),
    ...(c.failOnLeftovers !== undefined && { failOnLeftovers: c.failOnLeftovers }),
    exclude: c.exclude ?? [],
    defaults: readSettings(where, c),
    overrides,
  };
}

function readSettings(
  where: string,
  s: v.InferOutput<typeof overrideSchema> | v.InferOutput<typeof configSchema>,
): ScriptSettings {
  return {
    ...(s.timeout !== undefined && { timeoutMs: readTimeout(`${where}: timeout`, s.timeout) }),
    ...(s.memory !== undefined && { memoryLimitMb: readMemoryMb(`${where}: memory`, s.memory) }),
    ...(s.cpuTime !== undefined && { cpuTimeLimitS: readCpuTimeS(`${where}: cpuTime`, s.cpuTime) }),
    ...(s.retries !== undefined && {
      retries: readCount(`${where}: retries`, s.retries, 0, 'the number of extra runs after a failure'),
    }),
    ...(s.args !== undefined && { args: s.args }),
    ...(s.env !== undefined && { env: s.env }),
    ...(s.allowedExitCodes !== undefined && { allowedExitCodes: s.allowedExitCodes }),
  };
}

/** An unknown key is a typo until proven otherwise: refused, with the closest known key. */
function checkKeys(where: string, raw: unknown, known: string[]): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return; // valibot words it
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const near = closestMatch(key, known);
    throw new UsageError(
      `${where}: unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}; known keys: ${known.join(', ')}`,
    );
  }
}
