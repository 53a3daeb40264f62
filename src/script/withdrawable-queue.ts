// piscina's task queue for the supervisor pool, plus one thing piscina's own queues lack:
// withdrawing a task that no thread has taken yet. piscina withdraws a queued task only
// through the task's `signal`, and a task with a signal is "abortable": piscina then runs it
// alone on its thread, which would undo several supervisors sharing a thread. A task left in
// the queue after its run was given up makes piscina start threads for it (each drain of a
// non-empty queue does), so the crash-loop breaker withdraws what it abandons.
import { queueOptionsSymbol, type TaskQueue } from 'piscina';

type Task = Parameters<TaskQueue['push']>[0];

export class WithdrawableQueue implements TaskQueue {
  #tasks: Task[] = [];

  get size(): number {
    return this.#tasks.length;
  }

  shift(): Task | null {
    return this.#tasks.shift() ?? null;
  }

  push(task: Task): void {
    this.#tasks.push(task);
  }

  unshift(task: Task): void {
    this.#tasks.unshift(task);
  }

  remove(task: Task): void {
    const at = this.#tasks.indexOf(task);
    if (at !== -1) this.#tasks.splice(at, 1);
  }

  /**
   * Removes the queued task whose payload had `[queueOptionsSymbol]: tag` (piscina's key for
   * per-task queue data; symbol keys are not sent to the thread).
   * @returns false when no thread-less task has that tag (a thread already took it)
   */
  withdraw(tag: object): boolean {
    const at = this.#tasks.findIndex((task) => task[queueOptionsSymbol] === tag);
    if (at === -1) return false;
    this.#tasks.splice(at, 1);
    return true;
  }
}
