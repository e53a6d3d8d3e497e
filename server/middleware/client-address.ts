/**
 * The address a request came from. X-Forwarded-For is anyone's to write, so it counts only when the
 * operator says how many proxies of theirs stand in front (`trustProxy`), and then only the entry
 * the outermost trusted proxy added.
 */
import type { Context } from "hono";

type NodeEnv = { incoming?: { socket?: { remoteAddress?: string } } };

export function clientAddress(c: Context, trustProxy: number): string {
  const socket = (c.env as NodeEnv | undefined)?.incoming?.socket?.remoteAddress ?? "unknown";
  if (trustProxy <= 0) return socket;
  const forwarded = c.req.header("x-forwarded-for");
  if (!forwarded) return socket;
  const hops = forwarded.split(",").map((hop) => hop.trim()).filter(Boolean);
  // Each trusted proxy appended the address it saw; the one the first proxy saw is trustProxy from the end.
  return hops[hops.length - trustProxy] ?? hops[0] ?? socket;
}
