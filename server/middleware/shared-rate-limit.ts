/**
 * The create limit shared by every instance on one PostgreSQL store: rate-limiter-flexible's
 * `RateLimiterPostgres` (its fixed window, its atomic upsert, its deletion of long-expired rows),
 * run on the store's own postgres.js connections through the store's `limitTable`.
 *
 * RateLimiterPostgres talks to pg-shaped clients (`query({ text, values })` answering
 * `{ rows, rowCount }`) and takes any such object as a "pool"; the adapter below is that and no
 * more, so the library's algorithm and SQL are used unchanged. The table is the store's (migration
 * 4), not created by the library at start.
 *
 * When the table does not answer (database down or slow, table locked or gone) within `timeoutMs`,
 * the request is counted in this instance's memory instead, with a warning in the log: a shopper is
 * neither refused nor kept waiting because the limiter's store failed, and an abuser is still held
 * to the limit per instance.
 */
import { RateLimiterPostgres, RateLimiterRes, RLWrapperTimeouts } from "rate-limiter-flexible";
import type { Logger } from "../log.ts";
import type { SharedLimitTable } from "../store/types.ts";
import type { AsyncRateLimiter, RateLimitResult, RateLimiter } from "./rate-limit.ts";

export interface SharedRateLimitOptions {
  table: SharedLimitTable;
  /** Distinguishes this limit's rows from other limits in the same table. */
  name: string;
  windowMs: number;
  max: number;
  /** Counts the requests while the table cannot be reached. */
  fallback: RateLimiter;
  logger: Logger;
  /** How long a hit may wait for the table before it is counted in memory. Default 1 s. */
  timeoutMs?: number;
  /** Least time between two warnings about the table failing. Default one minute. */
  warnEveryMs?: number;
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

export function createSharedRateLimiter(options: SharedRateLimitOptions): AsyncRateLimiter {
  const { table, windowMs, max, fallback, logger } = options;
  if (!(windowMs > 0) || !(max > 0)) throw new TypeError("a rate limit needs a positive windowMs and max");
  if (!NAME.test(options.name)) throw new TypeError(`a shared rate limit's name must match ${NAME}`);
  const postgresLimiter = new RateLimiterPostgres({
    storeClient: { query: ({ text, values }: { text: string; values?: unknown[] }) => table.query(text, values ?? []) },
    storeType: "pool",
    schemaName: table.schema,
    tableName: table.table,
    tableCreated: true,
    keyPrefix: options.name,
    points: max,
    duration: windowMs / 1000,
    // Once an address is over the limit, this instance refuses it from memory until its window
    // ends: a flood from one address costs one database write per instance, not one per request.
    inMemoryBlockOnConsumed: max + 1,
  });
  const limiter = new RLWrapperTimeouts({ limiter: postgresLimiter, timeoutMs: options.timeoutMs ?? 1_000 });

  const warnEveryMs = options.warnEveryMs ?? 60_000;
  let lastWarning = -Infinity;
  let unwarned = 0;
  function countInMemory(key: string, error: unknown): RateLimitResult {
    unwarned++;
    const at = Date.now();
    if (at - lastWarning >= warnEveryMs) {
      // During an outage every create would log this: one line a minute says it as well.
      logger.warn("create limit: the shared table failed; counting in this instance's memory", { limit: options.name, requests: unwarned, error });
      lastWarning = at;
      unwarned = 0;
    }
    return fallback.hit(key);
  }

  return {
    async hit(key) {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (outcome) {
        if (!(outcome instanceof RateLimiterRes)) return countInMemory(key, outcome);
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
      }
    },
  };
}
