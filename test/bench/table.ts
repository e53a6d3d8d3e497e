/** The one table `npm run bench` prints and writes to docs/benchmarks.md. */
import { cpus, totalmem } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";

export interface Row {
  what: string;
  figure: string;
  note: string;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
export const kB = (bytes: number) => `${fmt(bytes / 1000, 2)} kB`;

/** A cell may not hold a raw "|" or a newline. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderTable(rows: readonly Row[]): string {
  return ["| measure | figure | note |", "|---|---|---|", ...rows.map((r) => `| ${cell(r.what)} | ${cell(r.figure)} | ${cell(r.note)} |`)].join("\n");
}

export function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.replace(/\s+/g, " ").trim() ?? "unknown CPU";
  return `${cores.length} × ${model}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, ${process.platform}/${process.arch}`;
}

export function writeReport(table: string, seconds: number): void {
  const header = `# Benchmarks

Measured by \`npm run bench\` (test/bench/run.ts) on ${new Date().toISOString().slice(0, 10)} with Node ${process.version} on ${machine()}: a shared machine, so every row comes from the same run (${fmt(seconds, 0)} s in all) and the figures to compare are the ratios within it (client against raw fetch, server against the sandbox it calls, server against a minimal create/read app on the same store with the goals of issue 12 marked PASS or FAIL, server with a webhook endpoint against the same server without, the widget's loader and dialog against their budgets, Polar's embed script and the single file of before the split), not absolute figures across runs or machines. All traffic stays on 127.0.0.1; the load generator (autocannon) runs in the bench process and the server under load in a child process of its own, both on the same two cores, so requests/s is a floor for the machine, not a capacity plan; the webhook endpoint is a third process. PostgreSQL rows need DATABASE_URL (PostgreSQL on the same machine). Sizes are bytes on disk (kB = 1,000 bytes, as vite counts them); brotli and gzip are what the server sends: for the widget's built files the .br (quality 11, text mode) and .gz (zopfli's) the build writes beside each (and a script of comparison the same way), for a translation what the server makes when it starts (brotli at quality 11, zlib's gzip at level 9); the per-module shares are zlib's level 9. Brotli is what a browser downloads (every current browser takes it over HTTPS, as production runs behind its TLS proxy, and headless Chromium on http://127.0.0.1 sends \`gzip, deflate, br, zstd\`); gzip is what a client that does not take brotli downloads (Chromium over plain HTTP to a host other than loopback sends \`gzip, deflate\`). Times are milliseconds; p50/p99 are the median and 99th percentile of the requests in a run; browser timings are medians over the runs in the row, with the p95 where a goal holds them to it (click → dialog visible).

`;
  mkdirSync(new URL("../../docs/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../../docs/benchmarks.md", import.meta.url), `${header}${table}\n`);
}
