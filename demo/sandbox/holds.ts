/**
 * Requests the sandbox keeps waiting on purpose (latency, the "hang" faults). Each wait ends when
 * its client gives up (the request's signal) or when the sandbox closes, so that a test run or a
 * server shutdown is never kept alive by a request nobody is waiting for.
 */

export interface Holds {
  /** Waits `ms`; ends early on abort or close. */
  delay(ms: number, signal: AbortSignal | undefined): Promise<void>;
  /** Waits until the client aborts or the sandbox closes. */
  hang(signal: AbortSignal | undefined): Promise<void>;
  /** Requests currently hanging. */
  hanging(): number;
  releaseAll(): void;
}

export function createHolds(): Holds {
  const releasers = new Set<() => void>();
  let hangingCount = 0;

  function wait(ms: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const release = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", release);
        releasers.delete(release);
        resolve();
      };
      releasers.add(release);
      signal?.addEventListener("abort", release, { once: true });
      if (ms !== undefined) timer = setTimeout(release, ms);
    });
  }

  return {
    delay: (ms, signal) => (ms > 0 ? wait(ms, signal) : Promise.resolve()),
    async hang(signal) {
      hangingCount++;
      try {
        await wait(undefined, signal);
      } finally {
        hangingCount--;
      }
    },
    hanging: () => hangingCount,
    releaseAll() {
      for (const release of [...releasers]) release();
    },
  };
}
