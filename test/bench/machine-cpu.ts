/**
 * The CPU a request costs outside the app's own process, on the machine the cost bench shares:
 * PostgreSQL's (every process of the server, read from /proc, when it runs on this machine) and
 * the bench's own (autocannon, the load generator). With the app's and the sandbox's (their own
 * processes say theirs), it tells where a create's CPU goes, which the throughput ratio alone does
 * not: on two shared cores, throughput follows the CPU of all of them.
 */
import { readdirSync, readFileSync } from "node:fs";

// Linux reports /proc/<pid>/stat times in clock ticks of USER_HZ, 100 a second on every
// architecture Node runs on (sysconf(_SC_CLK_TCK) is not reachable from Node).
const MICROS_PER_TICK = 10_000;

/** Whether a PostgreSQL URL names this machine, so that its server's processes are ours to read. */
export function isLocalDatabase(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "" || host === "localhost" || host === "127.0.0.1" || host === "[::1]";
  } catch {
    return false;
  }
}

/** User and system CPU so far of every process named postgres on this machine, in µs; null where /proc cannot tell. */
export function postgresCpuMicros(): number | null {
  let ticks = 0;
  let seen = 0;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone since the listing
    }
    // "pid (comm) state …": comm may hold spaces and parentheses, so it ends at the last ")".
    const close = stat.lastIndexOf(")");
    if (!stat.slice(stat.indexOf("(") + 1, close).startsWith("postgres")) continue;
    const fields = stat.slice(close + 2).split(" ");
    // After comm: state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12 here.
    ticks += Number(fields[11]) + Number(fields[12]);
    seen++;
  }
  return seen > 0 ? ticks * MICROS_PER_TICK : null;
}

/** This process's CPU so far (the load generator's), in µs. */
export function ownCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
