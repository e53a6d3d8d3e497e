/**
 * Group commit for the SQLite store: the writes asked for in one turn of the event loop run in one
 * `BEGIN IMMEDIATE` transaction, each in a savepoint of its own, and each is answered only after
 * that transaction's COMMIT.
 *
 * Why: with `synchronous = FULL` every COMMIT waits for an fsync, and better-sqlite3 waits on the
 * event loop's thread, so under load a server doing one commit per write spends most of its time
 * blocked on the disk (the cost bench's profile: half the busy time of a create inside COMMIT).
 * Twenty checkouts in flight need not pay for twenty fsyncs. Durability is unchanged (no write is
 * answered before the disk has it), and so is isolation: the writes of a group run one after the
 * other on the one connection, each seeing the ones before it, exactly as if committed in turn.
 * A write that throws is rolled back to its savepoint and rejects alone; the others still commit.
 * If the COMMIT itself fails (disk full, the lock not had within the busy timeout), every write
 * of the group rejects with that error: none of them was stored.
 */
import type Database from "better-sqlite3";

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface GroupCommit {
  /** Runs `write` in the next group's transaction; resolves with its result once committed. */
  <T>(write: () => T): Promise<T>;
  /** Commits what is queued now (before the database is closed). */
  flush(): void;
}

/**
 * `rolledBack` is called when any write of a group was undone (its savepoint, or the whole group's
 * transaction): whatever it left in a cache must go.
 */
export function createGroupCommit(db: Database.Database, rolledBack: () => void): GroupCommit {
  let queue: Pending[] = [];
  let scheduled = false;

  // Alone in its group, a write is the transaction (no savepoint to pay for); if it throws, the
  // transaction is rolled back and it rejects, as before group commit.
  const alone = db.transaction((write: () => unknown) => write());
  // Called inside the group's transaction, better-sqlite3 makes this a SAVEPOINT: a write that
  // throws undoes only its own statements.
  const inSavepoint = db.transaction((write: () => unknown) => write());
  const together = db.transaction((group: Pending[]): Outcome[] =>
    group.map((pending) => {
      try {
        return { ok: true, value: inSavepoint(pending.write) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );

  function flush(): void {
    scheduled = false;
    const group = queue;
    queue = [];
    if (group.length === 0) return;
    if (group.length === 1) {
      const [only] = group as [Pending];
      try {
        only.resolve(alone.immediate(only.write));
      } catch (error) {
        rolledBack();
        only.reject(error);
      }
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = together.immediate(group);
    } catch (error) {
      rolledBack();
      for (const pending of group) pending.reject(error);
      return;
    }
    if (outcomes.some((outcome) => !outcome.ok)) rolledBack();
    outcomes.forEach((outcome, index) => (outcome.ok ? group[index]!.resolve(outcome.value) : group[index]!.reject(outcome.error)));
  }

  const write = <T>(run: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ write: run, resolve: resolve as (value: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        // setImmediate, not a microtask: the requests whose bytes arrived in the same poll of the
        // event loop all get to queue their writes before the group commits.
        setImmediate(flush);
      }
    });
  return Object.assign(write, { flush });
}
