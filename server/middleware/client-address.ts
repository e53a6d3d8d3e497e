/**
 * The address a request came from. X-Forwarded-For is anyone's to write, so it is believed only
 * as far as the operator says: from proxies whose addresses are in `trustedProxies` (CIDR ranges),
 * and/or for `trustProxy` hops (the older setting, a count of proxies in front). The chain is read
 * from the right (the socket's peer, then each address a proxy appended) and the first address
 * that is not a trusted proxy is the client.
 */
import type { Context } from "hono";
import type { Logger } from "../log.ts";
import { ipMatcher } from "./ip-ranges.ts";

type NodeEnv = { incoming?: { socket?: { remoteAddress?: string } } };

export interface ClientAddressOptions {
  /** How many proxies stand in front, whatever their addresses. */
  trustProxy: number;
  /** Addresses or CIDR ranges of the proxies whose X-Forwarded-For is believed. */
  trustedProxies: readonly string[];
  /**
   * Told at start when nothing is trusted (forwarding headers will be ignored), and warned once when
   * such a header then arrives: behind a proxy the limit would see the proxy, not the shopper.
   */
  logger?: Logger;
  /**
   * A proxy certainly stands in front (the public URL is https, and this server speaks plain HTTP):
   * trusting none of it is then a mistake, and the start line is a warning.
   */
  behindProxy?: boolean;
}

const FORWARDING_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"] as const;

export function clientAddressOf({ trustProxy, trustedProxies, logger, behindProxy = false }: ClientAddressOptions): (c: Context) => string {
  if (!Number.isInteger(trustProxy) || trustProxy < 0) throw new TypeError("trustProxy must be a whole number of proxies");
  const trusted = ipMatcher(trustedProxies);
  const trustsNobody = trustProxy === 0 && trustedProxies.length === 0;
  let warned = false;
  if (trustsNobody && logger) {
    const ignored = "X-Forwarded-For, Forwarded and X-Real-IP will be ignored: no proxy is trusted. Behind a reverse proxy, set CHECKOUT_TRUSTED_PROXIES to its addresses (or CHECKOUT_TRUST_PROXY to the number of proxies), or every shopper shares its rate limit";
    if (behindProxy) logger.warn(`the public URL is https, so a proxy stands in front of this plain-HTTP server, but ${ignored}`);
    else logger.info(ignored);
  }

  let warnedUnknown = false;
  return function clientAddress(c) {
    const peer = (c.env as NodeEnv | undefined)?.incoming?.socket?.remoteAddress;
    // Without Node's request (a wrapper that calls app.fetch(request) and drops its second
    // argument, or another runtime's adapter), every shopper would count as one client against the
    // create limit, quietly: the bench's own server did so until this was said out loud.
    if (peer === undefined && !warnedUnknown && logger) {
      warnedUnknown = true;
      logger.warn('a request came without its connection\'s address, so every such request counts as one client ("unknown") against the create limit: serve the app with serve({ fetch: app.fetch }), and a wrapper must pass on fetch\'s second argument (Node\'s request)');
    }
    const socket = peer ?? "unknown";
    if (trustsNobody) {
      if (!warned && logger && FORWARDING_HEADERS.some((name) => c.req.header(name) !== undefined)) {
        warned = true;
        logger.warn("a request came with X-Forwarded-For (or Forwarded) but no proxy is trusted: set CHECKOUT_TRUSTED_PROXIES to your proxies' addresses, or every shopper behind it shares one rate limit", {
          peer: socket,
        });
      }
      return socket;
    }
    const forwarded = c.req.header("x-forwarded-for");
    const chain = [
      ...(forwarded ?? "")
        .split(",")
        .map((hop) => hop.trim())
        .filter(Boolean),
      socket,
    ];
    let index = chain.length - 1;
    // chain[index] is believed to be a proxy of ours: the entry left of it is what that proxy saw.
    while (index > 0 && (chain.length - 1 - index < trustProxy || trusted.matches(chain[index]!))) index--;
    return chain[index]!;
  };
}
