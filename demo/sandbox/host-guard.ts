/**
 * Refuses requests addressed to another host (DNS rebinding): a page on attacker.example whose name
 * is made to resolve to 127.0.0.1 reaches the sandbox with `Host: attacker.example`, and would
 * otherwise drive its unauthenticated control routes and payment pages with the visitor's browser.
 */
import type { MiddlewareHandler } from "hono";

export const LOOPBACK_NAMES: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** `host[:port]` as URL parses it (lower case, default port dropped), or undefined when it is not one. */
function normalHost(value: string): string | undefined {
  if (value === "" || /[\s/?#@\\]/.test(value)) return undefined;
  try {
    return new URL(`http://${value}`).host;
  } catch {
    return undefined;
  }
}

function hostnameOf(host: string): string {
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
}

/**
 * The names to answer for a sandbox served under `publicUrl`: its own, and when that is a loopback
 * name, the other loopback names too (the README says localhost, a hand types 127.0.0.1; no attacker
 * can point either at another machine's page).
 */
export function hostsFor(publicUrl: string): string[] {
  const name = new URL(publicUrl).hostname;
  return LOOPBACK_NAMES.has(name) ? [...LOOPBACK_NAMES] : [name];
}

/**
 * `allowed` lists host names (a port, if given, is ignored: rebinding changes the name, not the port,
 * and a proxy in front may add or drop one); undefined allows the loopback names (the standalone
 * sandbox, and tests on ephemeral ports).
 */
export function createHostGuard(allowed: readonly string[] | undefined): MiddlewareHandler {
  const names = new Set(
    allowed?.map((entry) => {
      const host = normalHost(entry);
      if (!host) throw new TypeError(`allowedHosts: "${entry}" is not a host name`);
      return hostnameOf(host);
    }) ?? LOOPBACK_NAMES,
  );
  const accepts = (host: string | undefined) => host !== undefined && names.has(hostnameOf(host));
  const expected = [...names].join(", ");

  return async (c, next) => {
    // The URL's host is the Host header on a server, or the URL a caller in the same process used;
    // a Host header, when there is one, must pass too (an absolute request target can differ from it).
    const header = c.req.header("Host");
    if (!accepts(new URL(c.req.url).host) || (header !== undefined && !accepts(normalHost(header)))) {
      const details = `This sandbox answers only requests for ${expected}.`;
      if (c.req.path.startsWith("/octopus/api/")) return c.json({ result: "error", data: { error: "Misdirected request", details } }, 421);
      return c.json({ error: "Misdirected request", details }, 421);
    }
    await next();
  };
}
