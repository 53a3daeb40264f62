// Owns turning argv into flag values with node:util parseArgs (strict), and rewording its
// errors for people: an unknown flag is named in one line with a "did you mean" (or, for
// another harness's flag, ergate's own: foreign-flags.ts); a value that
// starts with "-" (--retries -1) reaches the flag's own check, which names the rule.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { suggestion } from '../../internal/did-you-mean.ts';
import { foreignFlagHint } from './foreign-flags.ts';
import { UsageError } from './usage.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

export function parseFlags<T extends Options>(argv: string[], options: T, allowPositionals: boolean): Parsed<T> {
  const args = attachDashValues(argv, options);
  try {
    return parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>({
      args,
      options,
      allowPositionals: allowPositionals as true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(reword(error as Error & { code?: string }, options));
  }
}

/** "--retries -1" -> "--retries=-1": parseArgs would otherwise call "-1" an unknown flag. */
function attachDashValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = flagName(argv[i], options);
    const next = argv[i + 1];
    if (name !== null && options[name].type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i += 1;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

function flagName(token: string, options: Options): string | null {
  if (token.startsWith('--') && !token.includes('='))
    return Object.hasOwn(options, token.slice(2)) ? token.slice(2) : null;
  if (/^-[A-Za-z]$/.test(token)) return Object.entries(options).find(([, o]) => o.short === token[1])?.[0] ?? null;
  return null;
}

function reword(error: Error & { code?: string }, options: Options): string {
  // "Option '-j, --jobs <value>' argument missing": name the long form.
  const flag = /'(?:-\w, )?(-[^' ]+)/.exec(error.message)?.[1];
  const shown = flag?.replace(/=.*$/, '');
  const known = Object.keys(options).map((name) => `--${name}`);
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return foreignFlagHint(shown ?? '') ?? `unknown option ${shown ?? ''}${suggestion(shown ?? '', known)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(error.message)) return `${shown}: expected a value`;
      if (/does not take an argument/.test(error.message)) return `${shown} takes no value`;
      return `${shown}: ${error.message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']+)'/.exec(error.message)?.[1] ?? ''}`;
    default:
      return error.message.split('. ')[0];
  }
}
