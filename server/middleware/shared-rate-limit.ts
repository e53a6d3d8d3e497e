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
 * A create that goes on to insert an order is counted differently (`defer`): the store's
 * `insertCounted` runs the library's count and the order's INSERT as one statement, so the limit
 * costs a create neither a transaction nor a round trip of its own (3 transactions and 4 round trips
 * per create became 2 and 2, counted on the wire by the cost bench). The library counts a hit in a
 * statement of its own and decides after its answer, so it cannot share the order's; that one
 * statement is written out in the store, on the library's table, with the library's semantics, and
 * a test holds the two to counting alike. The library still counts every other hit and deletes old
 * rows.
 *
 * When the table does not answer (database down or slow, table locked or gone) within `timeoutMs`,
 * the request is counted in this instance's memory instead, with a warning in the log: a shopper is
 * neither refused nor kept waiting because the limiter's store failed, and an abuser is still held
 * to the limit per instance.
 */
import { RateLimiterPostgres, RateLimiterRes, RLWrapperTimeouts } from "rate-limiter-flexible";
import type { Logger } from "../log.ts";
import type { CountedInsert, InsertResult, NewOrder, SharedLimitTable } from "../store/types.ts";
import { rateLimitedError, type AsyncRateLimiter, type RateLimitResult, type RateLimiter } from "./rate-limit.ts";

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

/** A create counted with the insert of its order (`SharedRateLimiter.defer`). */
export type DeferredHit =
  | { allowed: false; retryAfterSeconds: number }
  | {
      allowed: true;
      /**
       * The order's insert, which counts the hit in its own statement; throws the 429 (nothing
       * inserted) when the count is over the limit.
       */
      insert(order: NewOrder): Promise<InsertResult>;
      /** Counts the hit alone (as `hit`) if the request ended without calling `insert`. */
      finish(): Promise<void>;
    };

export interface SharedRateLimiter extends AsyncRateLimiter {
  /**
   * One create of `key`, counted when its order is inserted: refused at once only when this instance
   * already saw the address over the limit in its current window.
   */
  defer(key: string): DeferredHit;
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createSharedRateLimiter(options: SharedRateLimitOptions): SharedRateLimiter {
  const { table, windowMs, max, fallback, logger } = options;
  if (!(windowMs > 0) || !(max > 0)) throw new TypeError("a rate limit needs a positive windowMs and max");
  if (!NAME.test(options.name)) throw new TypeError(`a shared rate limit's name must match ${NAME}`);
  const timeoutMs = options.timeoutMs ?? 1_000;
  const postgresLimiter = new RateLimiterPostgres({
    storeClient: { query: ({ text, values }: { text: string; values?: unknown[] }) => table.query(text, values ?? []) },
    storeType: "pool",
    schemaName: table.schema,
    tableName: table.table,
    tableCreated: true,
    keyPrefix: options.name,
    points: max,
    duration: windowMs / 1000,
  });
  const limiter = new RLWrapperTimeouts({ limiter: postgresLimiter, timeoutMs });

  // Once an address is over the limit, this instance refuses it from memory until its window ends:
  // a flood from one address costs one database write per instance, not one per request. The
  // library's own in-memory block (inMemoryBlockOnConsumed) would do this for its hits, but cannot
  // be told of the counts the store makes with an insert, so one map serves both.
  const blocked = new Map<string, number>();
  function block(rlKey: string, until: number): void {
    const at = Date.now();
    // Kept roughly in order of expiry (every window is as long): expired ones go from the front.
    for (const [key, end] of blocked) {
      if (end > at) break;
      blocked.delete(key);
    }
    blocked.delete(rlKey);
    blocked.set(rlKey, until);
  }
  function refusedFromMemory(rlKey: string): { allowed: false; retryAfterSeconds: number } | null {
    const until = blocked.get(rlKey);
    if (until === undefined) return null;
    const left = until - Date.now();
    if (left > 0) return { allowed: false, retryAfterSeconds: retryAfterSeconds(left) };
    blocked.delete(rlKey);
    return null;
  }

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

  async function hit(key: string): Promise<RateLimitResult> {
    const rlKey = postgresLimiter.getKey(key);
    const known = refusedFromMemory(rlKey);
    if (known) return known;
    try {
      await limiter.consume(key);
      return { allowed: true };
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) return countInMemory(key, outcome);
      block(rlKey, Date.now() + outcome.msBeforeNext);
      return { allowed: false, retryAfterSeconds: retryAfterSeconds(outcome.msBeforeNext) };
    }
  }

  async function insertCounted(key: string, rlKey: string, order: NewOrder): Promise<InsertResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let counted: CountedInsert;
    try {
      counted = await table.insertCounted(order, { key: rlKey, max, windowMs, at: Date.now() }, controller.signal);
    } catch (error) {
      // Failed (or cancelled for taking too long) as one statement, so nothing was written: neither
      // the count nor the order. Counted here instead, the order is inserted alone.
      const counted = countInMemory(key, controller.signal.aborted ? new Error(`the shared table did not answer within ${timeoutMs} ms`, { cause: error }) : error);
      if (!counted.allowed) throw rateLimitedError(counted.retryAfterSeconds);
      return table.insert(order);
    } finally {
      clearTimeout(timer);
    }
    if (counted.points > max) block(rlKey, counted.expire);
    if (!counted.insert) throw rateLimitedError(retryAfterSeconds(counted.expire - Date.now()));
    return counted.insert;
  }

  return {
    hit,
    defer(key) {
      const rlKey = postgresLimiter.getKey(key);
      const known = refusedFromMemory(rlKey);
      if (known) return known;
      let counted = false;
      return {
        allowed: true,
        insert(order) {
          counted = true;
          return insertCounted(key, rlKey, order);
        },
        async finish() {
          if (counted) return;
          counted = true;
          await hit(key);
        },
      };
    },
  };
}
