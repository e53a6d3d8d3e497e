/**
 * `npm start`'s server (server/main.ts) in a process of its own, on a free port of 127.0.0.1, for
 * the tests that need the real entry point (start lines, modes, SIGKILL).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A free port on 127.0.0.1 (bound and released: the server process binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: string[];
  /** SIGKILL: no shutdown code runs. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, the way an operator stops it; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * `npm start`'s server (server/main.ts) in a process of its own, in sandbox mode, with exactly the
 * environment given (no DATABASE_URL or OCTOPUS_* from the test's own). Node runs it directly
 * (`--import tsx`), so the pid is the server's and a SIGKILL reaches it and nothing else.
 * `entry` "demo/sandbox/main.ts" starts `npm run sandbox`'s standalone sandbox gateway instead;
 * "npm start" runs `npm start` itself (without its prestart build), as someone trying it does: then
 * the pid is npm's, `stop()` signals npm alone, and `kill()` kills npm's whole process group (npm
 * is its leader), whatever npm left behind included.
 */
export async function startServerProcess(port: number, env: Record<string, string>, entry = "server/main.ts"): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${port}`;
  const viaNpm = entry === "npm start";
  const [command, args] = viaNpm ? ["npm", ["start", "--ignore-scripts"]] : [process.execPath, ["--import", "tsx", entry]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: String(port), CHECKOUT_PUBLIC_URL: url, LOG_LEVEL: "warn", ...(viaNpm ? { npm_config_update_notifier: "false" } : {}), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: viaNpm,
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let onEarlyExit: ((code: number | null) => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s:\n${output.join("")}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString("utf8"));
      if (output.join("").includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
    onEarlyExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it listened:\n${output.join("")}`));
    };
    child.once("exit", onEarlyExit);
  });
  child.off("exit", onEarlyExit!);
  return {
    url,
    child,
    output,
    async kill() {
      if (viaNpm) {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // The group is gone already.
        }
      } else if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
