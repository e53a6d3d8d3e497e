/**
 * A min-heap of things due at a time on the sandbox clock (an unpaid order's expiry, a payout's next
 * step). The sweep runs on every API call, so it must cost the due items plus a peek, not a scan of
 * every open order.
 *
 * Entries are never removed early: an order that was paid, or a payout settled by hand, leaves a
 * stale entry that the sweep pops and ignores (the caller checks whether the step still applies).
 */

export interface DueQueue<T> {
  push(at: number, item: T): void;
  /** Removes and returns every item due at or before `now`, earliest first. */
  takeDue(now: number): T[];
  /** When the earliest item is due, if any. */
  nextAt(): number | undefined;
  size(): number;
  clear(): void;
}

interface Entry<T> {
  at: number;
  /** Insertion number: equal times come out in the order they went in. */
  seq: number;
  item: T;
}

const before = <T>(a: Entry<T>, b: Entry<T>) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export function createDueQueue<T>(): DueQueue<T> {
  let heap: Entry<T>[] = [];
  let seq = 0;

  function up(index: number): void {
    const entry = heap[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  }

  function down(index: number): void {
    const entry = heap[index]!;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, entry)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = entry;
  }

  function pop(): Entry<T> {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      down(0);
    }
    return top;
  }

  return {
    push(at, item) {
      if (!Number.isFinite(at)) throw new RangeError(`A due time must be a finite number: ${at}`);
      heap.push({ at, seq: seq++, item });
      up(heap.length - 1);
    },
    takeDue(now) {
      const due: T[] = [];
      while (heap.length > 0 && heap[0]!.at <= now) due.push(pop().item);
      return due;
    },
    nextAt: () => heap[0]?.at,
    size: () => heap.length,
    clear() {
      heap = [];
    },
  };
}
