/**
 * When a failed delivery is tried again: the schedule Standard Webhooks recommends (about 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h, 14 h, 20 h, 24 h: three and a half days in all), each with ±10%
 * jitter so that a fleet of retries after an outage does not arrive as one wave.
 */
export const RETRY_DELAYS_MS: readonly number[] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000, 50_400, 72_000, 86_400].map((seconds) => seconds * 1000);

/** Longest wait a `Retry-After` can ask for; past it the schedule's own time counts. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * The next attempt after `attemptsMade` failed attempts, or null when the schedule is spent.
 * `retryAfterMs` (the endpoint's own Retry-After) is honoured: never sooner than it asks.
 */
export function nextAttemptAt(attemptsMade: number, now: number, random: () => number, retryAfterMs: number | null = null): number | null {
  const delay = RETRY_DELAYS_MS[attemptsMade - 1];
  if (delay === undefined) return null;
  const jittered = Math.round(delay * (0.9 + 0.2 * random()));
  const asked = retryAfterMs === null ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return now + Math.max(jittered, asked);
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^[0-9]{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
