// Owns the CLI's stopping rules: --fail-fast (= --halt now,fail=1), --maxfail N (= --halt
// now,fail=N, as pytest) and GNU parallel's --halt now|soon,fail=N|P%. `now` kills running
// scripts and starts nothing more; `soon` starts nothing more and lets running scripts finish.
// P% is of the scripts finished so far. A failure is 'failed', 'timeout' or 'error'.
import type { ScriptStatus } from '../../script/types.ts';
import { badSetting } from '../settings/setting-values.ts';

export interface HaltRule {
  when: 'now' | 'soon';
  /** halt once this many scripts have failed */
  failCount?: number;
  /** halt once this share (0-100] of the finished scripts have failed */
  failPercent?: number;
  /** the flag as the user wrote it, for messages */
  source: string;
}

const HALT_SPEC = /^(now|soon),fail=(?:(\d+)|(\d+(?:\.\d+)?)%)$/;

export function parseHalt(text: string): HaltRule | null {
  if (text === 'never') return null;
  const match = HALT_SPEC.exec(text.trim());
  const count = match?.[2] === undefined ? undefined : Number(match[2]);
  const percent = match?.[3] === undefined ? undefined : Number(match[3]);
  if (!match || (count !== undefined && count < 1) || (percent !== undefined && (percent <= 0 || percent > 100))) {
    throw badSetting('--halt', 'now|soon,fail=N (N >= 1) or now|soon,fail=P% (0 < P <= 100), or never', text);
  }
  return {
    when: match[1] as 'now' | 'soon',
    source: `--halt ${text}`,
    ...(count !== undefined ? { failCount: count } : { failPercent: percent }),
  };
}

/** Counts finished scripts and says when the rule is met (once). */
export class HaltTracker {
  readonly #rule: HaltRule;
  #finished = 0;
  #failed = 0;
  #met = false;

  constructor(rule: HaltRule) {
    this.#rule = rule;
  }

  /** @returns the reason to halt the first time the rule is met, else null */
  onFinished(status: ScriptStatus): string | null {
    if (status === 'cancelled') return null; // killed by the halt or an interrupt: not a verdict
    this.#finished += 1;
    if (status === 'failed' || status === 'timeout' || status === 'error') this.#failed += 1;
    if (this.#met || this.#failed === 0) return null;
    const { failCount, failPercent } = this.#rule;
    const met =
      failCount !== undefined ? this.#failed >= failCount : (this.#failed * 100) / this.#finished >= failPercent!;
    if (!met) return null;
    this.#met = true;
    return `halted after ${this.#failed} of ${this.#finished} finished scripts failed (${this.#rule.source})`;
  }
}
