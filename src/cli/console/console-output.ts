// Owns what happens when the CLI's console goes away: `ergate run ... | head -1` closes
// stdout after one line. Node reports the broken pipe as an 'error' event on process.stdout,
// which would crash the run and lose its reports; instead console output ends quietly and
// the run, its cleanup and its report files complete as if nobody had stopped reading.
import { debuglog } from 'node:util';

const debug = debuglog('ergate');
let guarded = false;

/** Installs (once) the listeners that turn a closed stdout or stderr into silence. */
export function guardConsoleStreams(): void {
  if (guarded) return;
  guarded = true;
  for (const [name, stream] of [
    ['stdout', process.stdout],
    ['stderr', process.stderr],
  ] as const) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // EPIPE (reader gone) or a write after that (ERR_STREAM_DESTROYED): nothing more can be shown.
      debug('%s closed (%s): console output ends here', name, error.code ?? error.message);
    });
  }
}
