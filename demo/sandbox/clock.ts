/**
 * The sandbox's notion of "now": a base clock plus an offset that testers move forward, so that a
 * 15-minute expiry can be reached in a test without waiting 15 minutes.
 */

export interface SandboxClock {
  now(): number;
  /** Moves the sandbox's time forward by `ms` and returns the new time. */
  advance(ms: number): number;
  reset(): void;
}

export function createClock(base: () => number): SandboxClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`The clock only moves forward: ${ms}`);
      offset += ms;
      return base() + offset;
    },
    reset() {
      offset = 0;
    },
  };
}
