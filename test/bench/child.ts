/**
 * A bench process of its own, forked with tsx and spoken to over IPC: one question, one answer.
 * Every child of the cost bench (cost.ts) speaks this: "ready" with its URL first, then answers
 * "stats" (its CPU so far) and "close"; some take more commands of their own.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ChildStats {
  type: "stats";
  /** This process's CPU time so far (user + system, every thread), in microseconds, and the wall clock then. */
  cpuMicros: number;
  at: number;
  /** Store calls by method name (our server only). */
  storeCalls?: Record<string, number>;
  logLines?: number;
  /** The first lines logged above info, if any. */
  problems?: string[];
}

export type ChildMessage = { type: "ready"; url: string } | ChildStats | { type: "ok" } | { type: "error"; message: string };

export interface Child {
  process: ChildProcess;
  url: string;
  ask(message: Record<string, unknown> & { cmd: string }): Promise<ChildMessage>;
  stats(): Promise<ChildStats>;
  close(): Promise<void>;
}

/** Forks `file` (next to this one) with `env` added; resolves once it says it is ready. */
export function startChild(file: string, env: Record<string, string> = {}): Promise<Child> {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    execArgv: ["--import", "tsx", ...(process.env.BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [])],
    // stdout (the server's log lines) goes nowhere, as a log shipper that keeps up would take it.
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: { ...process.env, ...env },
  });
  let pending: ((message: ChildMessage) => void) | null = null;
  child.on("message", (message: ChildMessage) => {
    const answer = pending;
    pending = null;
    answer?.(message);
  });
  const ask = (message: Record<string, unknown> & { cmd: string }) =>
    new Promise<ChildMessage>((resolve, reject) => {
      if (pending) return reject(new Error(`${file}: one question at a time`));
      const onExit = (code: number | null) => reject(new Error(`${file} exited (${code})`));
      child.once("exit", onExit);
      pending = (answer) => {
        child.off("exit", onExit);
        if (answer.type === "error") reject(new Error(`${file}: ${answer.message}`));
        else resolve(answer);
      };
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${file} exited before it was ready (${code})`));
    child.once("exit", onExit);
    child.once("error", reject);
    pending = (message) => {
      child.off("exit", onExit);
      if (message.type !== "ready") return reject(new Error(`${file}: unexpected first message ${message.type}`));
      resolve({
        process: child,
        url: message.url,
        ask,
        async stats() {
          const answer = await ask({ cmd: "stats" });
          if (answer.type !== "stats") throw new Error(`${file}: expected stats, got ${answer.type}`);
          return answer;
        },
        async close() {
          await ask({ cmd: "close" }).catch(() => undefined);
          if (child.connected) child.disconnect();
          if (child.exitCode !== null || child.signalCode !== null) return;
          await new Promise<void>((done) => {
            // A keep-alive socket can hold it open: a nudge after 3 s.
            const timer = setTimeout(() => {
              child.kill();
              done();
            }, 3_000);
            child.once("exit", () => {
              clearTimeout(timer);
              done();
            });
          });
        },
      });
    };
  });
}

/** The child side: this process's CPU so far. */
export function cpuNow(): { cpuMicros: number; at: number } {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, at: performance.now() };
}
