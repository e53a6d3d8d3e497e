/**
 * `npm run bench`: figures measured in one run on this machine, printed as one table and written to
 * docs/benchmarks.md. Loopback only, bounded in count and time (about ten minutes in all). Compare
 * ratios within a run, not across runs: the machine is shared and noisy.
 *
 *   size.ts            widget.js against its budget, Preact alone, Polar's embed script; translations
 *   gateway-client.ts  signing, and the gateway client against raw signed fetches
 *   server-load.ts     the server under autocannon (its process: stack-process.ts), against the sandbox
 *   cost.ts            cost per request: the server against a minimal create/read app, goals pass/fail
 *   webhooks.ts        the outbox's cost on POST /api/checkout, deliveries/s, gateway's "paid" → order.paid
 *   browser-timing.ts  Chromium: click → dialog visible (prefetched, cold), Pay → payment page, gateway's "paid" → the widget's paid screen
 */
import { browserRows, dialogTimingRows } from "./browser-timing.ts";
import { gatewayClientRows } from "./gateway-client.ts";
import { costRows } from "./cost.ts";
import { serverLoadRows } from "./server-load.ts";
import { webhookRows } from "./webhooks.ts";
import { sizeRows } from "./size.ts";
import { renderTable, writeReport, type Row } from "./table.ts";

async function main() {
  const started = performance.now();
  const rows: Row[] = [];
  const sections: [string, () => Promise<Row[]>][] = [
    ["sizes", sizeRows],
    // Beside the sizes that decide it.
    ["click → dialog", dialogTimingRows],
    ["signing and gateway client", gatewayClientRows],
    ["server under load", serverLoadRows],
    ["cost per request", costRows],
    ["webhooks", webhookRows],
    ["browser timings", browserRows],
  ];
  // `npm run bench -- cost` (any words of the section names): those sections only, printed, not written.
  const only = process.argv.slice(2).map((word) => word.toLowerCase());
  const chosen = only.length ? sections.filter(([name]) => only.some((word) => name.includes(word))) : sections;
  if (chosen.length === 0) throw new Error(`no bench section matches ${only.join(" ")}: ${sections.map(([name]) => name).join(", ")}`);
  for (const [name, section] of chosen) {
    const at = performance.now();
    rows.push(...(await section()));
    console.error(`bench: ${name} done in ${((performance.now() - at) / 1000).toFixed(0)} s`);
  }
  const table = renderTable(rows);
  console.log(table);
  // BENCH_COST_STORES leaves a store out of the cost section: such a run is partial too.
  if (chosen.length === sections.length && !process.env.BENCH_COST_STORES) writeReport(table, (performance.now() - started) / 1000);
  else console.error("bench: only some sections (or stores) ran, so docs/benchmarks.md is left as it was");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
