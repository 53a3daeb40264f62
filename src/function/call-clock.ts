// The timeout clocks of running calls, without a Node timer per call: calls started with the
// same timeoutMs expire in the order they started, so each length keeps a FIFO (an intrusive
// list whose nodes are the calls' stops: nothing is allocated per call) and one timer armed
// for its head. Invariant: a node is expired only once its deadline has passed, and a list's
// timer keeps the process alive (as a timer per call would) only while it has nodes; an empty
// list's timer stays armed, unreferenced, for the next call (calls run a few at a time, so a
// list empties after almost every call: re-arming each time would be a timer per call again).

/** What the clock links: a call's stop (call-stop.ts). */
export interface ClockNode {
  /** performance.now() at which the call times out */
  deadline: number;
  clockPrev: ClockNode | null;
  clockNext: ClockNode | null;
  clockList: ClockList | null;
  expire(): void;
}

class ClockList {
  head: ClockNode | null = null;
  tail: ClockNode | null = null;
  timer: NodeJS.Timeout | undefined = undefined;
  constructor(readonly ms: number) {}
}

/** Empty lists are kept for reuse up to this many lengths (callers rarely use more). */
const KEPT_LENGTHS = 64;
const lists = new Map<number, ClockList>();

/** Starts (or restarts) `node`'s clock: it expires `ms` from now unless stopped first. */
export function startClock(node: ClockNode, ms: number): void {
  if (node.clockList !== null) stopClock(node);
  let list = lists.get(ms);
  if (list === undefined) lists.set(ms, (list = new ClockList(ms)));
  const now = performance.now();
  node.deadline = now + ms;
  node.clockList = list;
  node.clockPrev = list.tail;
  if (list.tail === null) list.head = node;
  else list.tail.clockNext = node;
  list.tail = node;
  if (list.timer === undefined) arm(list, now);
  else if (!list.timer.hasRef()) list.timer.ref();
}

/** Stops `node`'s clock (no-op if it is not running). */
export function stopClock(node: ClockNode): void {
  const list = node.clockList;
  if (list === null) return;
  if (node.clockPrev === null) list.head = node.clockNext;
  else node.clockPrev.clockNext = node.clockNext;
  if (node.clockNext === null) list.tail = node.clockPrev;
  else node.clockNext.clockPrev = node.clockPrev;
  node.clockPrev = node.clockNext = node.clockList = null;
  if (list.head !== null) return;
  if (lists.size > KEPT_LENGTHS) {
    clearTimeout(list.timer);
    list.timer = undefined;
    lists.delete(list.ms);
  } else {
    // Armed no later than any clock started from now on (same length, later start): kept.
    list.timer?.unref();
  }
}

/** Expires every node whose deadline passed, then re-arms for the next one. */
function fire(list: ClockList): void {
  list.timer = undefined;
  const now = performance.now();
  for (let node = list.head; node !== null && node.deadline <= now; node = list.head) {
    stopClock(node);
    node.expire();
  }
  if (list.head !== null && list.timer === undefined) arm(list, now);
}

/** Arms the list's timer for its head; a timer may fire a fraction of a millisecond early. */
function arm(list: ClockList, now: number): void {
  list.timer = setTimeout(fire, Math.max(1, Math.ceil(list.head!.deadline - now)), list);
}
