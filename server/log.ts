/**
 * JSON logs, one object a line. Redaction is by key, recursively, so that a gateway order or a
 * header bag can be logged whole without a secret or a shopper's data reaching the log.
 */

import { SENSITIVE_GATEWAY_FIELDS } from "./gateway/sensitive-fields.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Credentials, and the headers that carry them or a shopper's address, as a config or a header bag names them. */
const CREDENTIAL_KEYS = [
  "apisecret",
  "api_secret",
  "secret",
  "apikey",
  "api_key",
  "oc-key",
  "oc-signature",
  "authorization",
  "cookie",
  "set-cookie",
  "x-forwarded-for",
  "x-real-ip",
  "forwarded",
] as const;

// Keys are compared lower-cased with '-' read as '_': header bags arrive in any casing
// ("OC-Signature", "oc-signature"), and the header User-Agent is the gateway's user_agent.
const keyOf = (key: string) => key.toLowerCase().replaceAll("-", "_");
const REDACTED_KEYS: ReadonlySet<string> = new Set([...SENSITIVE_GATEWAY_FIELDS, ...CREDENTIAL_KEYS].map(keyOf));

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

// Log keys are mostly the same few literals ("order_id", "path"…): each is lower-cased and looked
// up once, not on every line. Bounded, since a logged header bag or gateway answer brings keys of
// its own choosing.
const redactedKeyCache = new Map<string, boolean>();
function isRedactedKey(key: string): boolean {
  let redacted = redactedKeyCache.get(key);
  if (redacted === undefined) {
    redacted = REDACTED_KEYS.has(keyOf(key));
    if (redactedKeyCache.size < 1_000) redactedKeyCache.set(key, redacted);
  }
  return redacted;
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[deep]";
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value.cause ? { cause: redact(value.cause, depth + 1) } : {}) };
  if (value && typeof value === "object") return redactInto({}, value, depth);
  return value;
}

/** `value`'s own fields, redacted, assigned to `out` (a line's top level is written straight into the line). */
function redactInto(out: Record<string, unknown>, value: object, depth: number): Record<string, unknown> {
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    // A scalar is what redact would return for it, without the call.
    out[key] = isRedactedKey(key) ? "[redacted]" : typeof item === "object" && item !== null ? redact(item, depth + 1) : depth >= 6 ? "[deep]" : item;
  }
  return out;
}

/**
 * Lines to stdout, written together once per turn of the event loop. Straight to the stream:
 * console.log formats its arguments and checks the stream each time. Together: stdout to a pipe or
 * a file is a synchronous write(2) on Linux, and under load a turn answers many requests. A line
 * waits at most that turn, and lines still waiting when the process exits are written then (in
 * order), so a crash or process.exit() keeps its last words.
 */
export function stdoutLines(): (line: string) => void {
  let pending = "";
  const flush = () => {
    process.off("exit", flush);
    const out = pending;
    pending = "";
    if (out) process.stdout.write(out);
  };
  return (line) => {
    if (!pending) {
      setImmediate(flush);
      process.on("exit", flush);
    }
    pending += `${line}\n`;
  };
}

export function createLogger(options: { level?: LogLevel; write?: (line: string) => void; base?: Record<string, unknown> } = {}): Logger {
  const threshold = LEVELS[options.level ?? "info"];
  const write = options.write ?? stdoutLines();
  const base = options.base ?? {};
  const hasBase = Object.keys(base).length > 0;
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const line: Record<string, unknown> = { level, time: new Date().toISOString(), msg };
    if (hasBase) redactInto(line, base, 0);
    if (fields !== undefined) redactInto(line, fields, 0);
    write(JSON.stringify(line));
  };
  return {
    debug: (msg, fields) => log("debug", msg, fields),
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
    // The same writer: a child's lines keep their order among the parent's.
    child: (fields) => createLogger({ ...options, write, base: { ...base, ...fields } }),
  };
}

/** For tests and library users who want silence. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
