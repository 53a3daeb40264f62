// A job failure that still has a result to show: thrown by a job function (e.g. a script
// job whose script exited non-zero), it fails the run with `message` and the scheduler
// keeps `result` as the job's result, so the ScriptResult of a failed script is visible.

export class JobFailure extends Error {
  override name = 'JobFailure';

  constructor(
    message: string,
    readonly result: unknown,
  ) {
    super(message);
  }
}
