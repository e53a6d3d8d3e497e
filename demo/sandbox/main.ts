/**
 * `npm run sandbox`: the sandbox gateway on its own, on loopback, for trying the checkout by hand.
 * Settings come from the environment through settings.ts: this entry point is the only sandbox module
 * that reads process.env.
 */
import { serve } from "@hono/node-server";
import { listenProblem } from "../../server/http/listen-problem.ts";
import { createSandboxGateway } from "./gateway.ts";
import { readSandboxSettings, SandboxConfigError, type SandboxSettings } from "./settings.ts";

function settingsOrExit(): SandboxSettings {
  try {
    return readSandboxSettings(process.env);
  } catch (error) {
    if (!(error instanceof SandboxConfigError)) throw error;
    console.error(`The sandbox's configuration is invalid:\n${error.problems.map((problem) => `  ${problem}`).join("\n")}`);
    process.exit(1);
  }
}

const settings = settingsOrExit();
const sandbox = createSandboxGateway({
  merchants: [{ apiKey: settings.apiKey, apiSecret: settings.apiSecret, merchantUid: settings.merchantUid, merchantName: "Sandbox Shop" }],
  // Only the names this process answers on: a page on a rebound DNS name gets 421.
  allowedHosts: [settings.host, "localhost"],
});

const server = serve({ fetch: sandbox.app.fetch, hostname: settings.host, port: settings.port }, (info) => {
  const base = `http://${settings.host}:${info.port}`;
  // The secret is a test value, but secrets are never printed: it is SANDBOX_API_SECRET (default in settings.ts).
  console.log(
    [
      `Octopus sandbox gateway listening on ${base}`,
      `  API:           ${base}/octopus/api/order/new, ${base}/octopus/api/order/get`,
      `  OC-Key:        ${settings.apiKey}`,
      `  merchant_uid:  ${settings.merchantUid}`,
      `  API secret:    from SANDBOX_API_SECRET (not printed)`,
      `  Controls:      ${base}/sandbox/api/state`,
    ].join("\n"),
  );
});

server.once("error", (error: NodeJS.ErrnoException) => {
  console.error(server.listening ? `The sandbox gateway stopped: its HTTP server failed: ${error.message}` : `The sandbox gateway cannot start: ${listenProblem(error, settings.host, settings.port, "npm run sandbox")}`);
  sandbox.close();
  process.exit(1);
});

function shutdown(): void {
  sandbox.close();
  server.close(() => process.exit(0));
  // Keep-alive connections would hold close() open; nobody needs them now.
  if ("closeAllConnections" in server) server.closeAllConnections();
}

process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
