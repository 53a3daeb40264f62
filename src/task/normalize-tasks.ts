// Turns the task list given to AsyncParallelRunner.run() (tuples or objects) into three
// parallel arrays, checking each entry once. Hand-written rather than a valibot schema:
// it runs over 100,000 entries on the hot path, and its messages still name the entry.

// A task may declare any parameters ((n: number) => ...); unknown[] would reject those under
// strictFunctionTypes, and never[] would not let the runner call it with the task's args.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the one place a task's parameters are typed
export type TaskFn = (...args: any[]) => unknown;
export type TaskInput =
  | readonly [name: string, fn: TaskFn, args?: readonly unknown[]]
  | { name: string; fn: TaskFn; args?: readonly unknown[] };

export interface TaskList {
  names: string[];
  fns: TaskFn[];
  args: (readonly unknown[])[];
}

const NO_ARGS: readonly unknown[] = Object.freeze([]);

export function normalizeTasks(tasks: unknown): TaskList {
  if (!Array.isArray(tasks))
    throw new TypeError(`tasks: expected an array of [name, fn, args?] or { name, fn, args? }, got ${typeof tasks}`);
  const n = tasks.length;
  const list: TaskList = {
    names: new Array<string>(n),
    fns: new Array<TaskFn>(n),
    args: new Array<readonly unknown[]>(n),
  };
  for (let i = 0; i < n; i++) {
    const task: unknown = tasks[i];
    let name: unknown, fn: unknown, args: unknown;
    if (Array.isArray(task)) [name, fn, args] = task as readonly unknown[];
    else if (typeof task === 'object' && task !== null) ({ name, fn, args } = task as Record<string, unknown>);
    else throw new TypeError(`tasks[${i}]: expected [name, fn, args?] or { name, fn, args? }, got ${String(task)}`);
    if (typeof name !== 'string') throw new TypeError(`tasks[${i}].name: expected a string, got ${typeof name}`);
    if (typeof fn !== 'function') throw new TypeError(`tasks[${i}].fn: expected a function, got ${typeof fn}`);
    if (args !== undefined && !Array.isArray(args))
      throw new TypeError(`tasks[${i}].args: expected an array, got ${typeof args}`);
    list.names[i] = name;
    list.fns[i] = fn as TaskFn;
    list.args[i] = (args as unknown[] | undefined) ?? NO_ARGS;
  }
  return list;
}
