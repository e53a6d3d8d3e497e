/** Time in tests: one way to wait, one way to poll, and the two clocks a test can move. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns something truthy, and returns that; throws after `timeoutMs`,
 * naming `what` was awaited.
 */
export async function until<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 5_000, everyMs = 20, what = "condition" }: { timeoutMs?: number; everyMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A clock for the server's `now` option: still until the test moves it. */
export function manualClock(start = Date.now()) {
  let at = start;
  return {
    now: () => at,
    advance(ms: number): number {
      at += ms;
      return at;
    },
  };
}

/** Real time plus an offset the test can grow: timers and timeouts still run, the server's "now" jumps. */
export function offsetClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number): void {
      offset += ms;
    },
  };
}
