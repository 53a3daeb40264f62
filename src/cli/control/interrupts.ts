// Owns the CLI's answer to SIGINT/SIGTERM during a run: the first cancels the run (running
// scripts are stopped, reports of what finished are written); a second exits at once, after
// SIGKILLing every process this CLI started (each script's whole tree). Invariant: no local
// child outlives a second signal, and the exit code is still 128 + the signal's number.
import { findDescendants, signalSnapshotted } from '../../script/proc-tree.ts';

const EXIT_CODE: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** SIGKILLs every live descendant of this process, scripts and their children alike. */
export function killLocalChildren(): number {
  const tree = findDescendants(process.pid);
  for (const info of tree) signalSnapshotted(info, 'SIGKILL');
  return tree.length;
}

/**
 * Installs the handlers; `onFirst` runs on the first signal. @returns what removes them
 */
export function handleInterrupts(onFirst: (signal: NodeJS.Signals) => void): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) {
      process.stderr.write(`ergate: ${signal}: stopping the run (${signal} again to exit at once)\n`);
      onFirst(signal);
      return;
    }
    const killed = killLocalChildren();
    process.stderr.write(
      `ergate: ${signal} again: exiting now${killed > 0 ? ` (killed ${killed} local processes)` : ''}; the reports are not written\n`,
    );
    process.exit(EXIT_CODE[signal] ?? 130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
