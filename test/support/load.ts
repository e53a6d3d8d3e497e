/**
 * Pieces of load and property tests: a bounded worker pool, percentiles, a replayable seed, and
 * printing figures so that a CI log shows them.
 */
import type { OrderRecord } from "../../server/store/types.ts";
import type { Stack } from "./stack.ts";

/** Runs `work` for every item with at most `limit` in flight; results in item order. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await work(items[index]!, index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Nearest-rank percentile of `values` (unsorted is fine); 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Prints rows as an aligned text table under a title (console.log, so the CI log keeps it). */
export function printTable(title: string, rows: readonly Record<string, string | number>[]): void {
  if (rows.length === 0) {
    console.log(`\n${title}\n  (no rows)`);
    return;
  }
  const columns = Object.keys(rows[0]!);
  const cell = (value: string | number | undefined) => (value === undefined ? "" : String(value));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
  const line = (values: string[]) => `  ${values.map((value, index) => value.padStart(widths[index]!)).join("  ")}`;
  const out = [`\n${title}`, line(columns), line(widths.map((width) => "-".repeat(width)))];
  for (const row of rows) out.push(line(columns.map((column) => cell(row[column]))));
  console.log(out.join("\n"));
}

/** Prints `label: value` lines under a title. */
export function printFigures(title: string, figures: Record<string, string | number>): void {
  const width = Math.max(...Object.keys(figures).map((key) => key.length));
  console.log([`\n${title}`, ...Object.entries(figures).map(([key, value]) => `  ${key.padEnd(width)}  ${value}`)].join("\n"));
}

/** Every order the store holds (the suites make at most a few thousand). */
export function allOrders(stack: Stack): Promise<OrderRecord[]> {
  return stack.store.recent(1_000_000);
}

/** The seed for fast-check: FC_SEED when given (to replay a failure), else a fresh one; printed either way. */
export function propertySeed(name: string): number {
  const given = process.env.FC_SEED;
  const seed = given !== undefined && given !== "" ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, not ${given}`);
  console.log(`[fast-check] ${name}: seed ${seed} (replay with FC_SEED=${seed})`);
  return seed;
}

