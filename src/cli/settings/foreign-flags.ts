// Owns the flags of other harnesses (pytest, pytest-xdist, GNU parallel, xargs) that ergate
// spells differently or deliberately lacks: an unknown flag found here is refused with the
// ergate flag that does the job, e.g. "-s is pytest's; ergate's is --show-output".

/** flag -> [whose, what ergate offers instead] */
const FOREIGN: Record<string, [string, string]> = {
  '-s': ["pytest's", "ergate's is --show-output"],
  '--capture': ["pytest's", "ergate's is --show-output (live output, prefixed with each script's path)"],
  '--junitxml': ["pytest's", "ergate's is --junit FILE"],
  '--junit-xml': ["pytest's", "ergate's is --junit FILE"],
  '--co': ["pytest's", "ergate's is --list (or --dry-run)"],
  '--collect-only': ["pytest's", "ergate's is --list (or --dry-run)"],
  '--ff': ["pytest's", "ergate's is --order failed-first"],
  '--failed-first': ["pytest's", "ergate's is --order failed-first"],
  '--reruns': ["pytest-rerunfailures'", "ergate's is --retries N"],
  '--dist': ["pytest-xdist's", "ergate's is --order given|longest-first|failed-first"],
  '-m': ["pytest's marker selection", 'ergate selects scripts with -k TEXT, --pattern or --exclude'],
  '--tb': ["pytest's", "ergate prints the last 15 lines of a failing script's stdout and stderr"],
  '-P': ["xargs'", "ergate's is -j N"],
  '--max-procs': ["xargs'", "ergate's is -j N"],
  '--keep-order': ["GNU parallel's", 'ergate reports in finishing order; --order sets the start order'],
  '--bar': ["GNU parallel's", 'ergate shows a progress bar on a terminal by default'],
  '--eta': ["GNU parallel's", 'ergate shows a progress bar with an ETA on a terminal by default'],
  '--resume': ["GNU parallel's", "ergate's is --resume-failed with --joblog FILE"],
};

/** "-s is pytest's; ergate's is --show-output", or null for a flag no harness here uses. */
export function foreignFlagHint(flag: string): string | null {
  const hit = FOREIGN[flag];
  return hit ? `${flag} is ${hit[0]}; ${hit[1]}` : null;
}
