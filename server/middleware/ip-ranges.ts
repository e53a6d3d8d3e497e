/**
 * IP addresses and CIDR ranges, IPv4 and IPv6, without node:net: which proxies may speak for a
 * client (CHECKOUT_TRUSTED_PROXIES) and what a rate limit counts as one client.
 */

export interface IpAddress {
  version: 4 | 6;
  /** The address as a number: 32 bits for IPv4, 128 for IPv6. */
  value: bigint;
}

export interface IpRange {
  version: 4 | 6;
  base: bigint;
  prefix: number;
}

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

function parseIpv4(text: string): bigint | null {
  if (!IPV4.test(text)) return null;
  return text.split(".").reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

function parseIpv6(text: string): bigint | null {
  let hex = text;
  // An IPv4 address may end it (::ffff:192.0.2.1): written as its two groups instead.
  const lastColon = hex.lastIndexOf(":");
  if (lastColon >= 0 && hex.includes(".", lastColon)) {
    const v4 = parseIpv4(hex.slice(lastColon + 1));
    if (v4 === null) return null;
    hex = `${hex.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = hex.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  // Without "::" there must be eight groups; "::" stands for at least one.
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}

const MAPPED_V4_PREFIX = 0xffffn << 32n;

/** Parses an address; an IPv4-mapped IPv6 address (::ffff:192.0.2.1) is taken as the IPv4 it carries. */
export function parseIp(text: string): IpAddress | null {
  const trimmed = text.trim();
  const v4 = parseIpv4(trimmed);
  if (v4 !== null) return { version: 4, value: v4 };
  // Brackets (from a Forwarded-style value) and a zone (fe80::1%eth0) are not part of the address.
  const bare = trimmed.replace(/^\[(.*)\]$/, "$1").replace(/%[^%]*$/, "");
  const v6 = parseIpv6(bare);
  if (v6 === null) return null;
  if (v6 >> 32n === MAPPED_V4_PREFIX >> 32n) return { version: 4, value: v6 & 0xffffffffn };
  return { version: 6, value: v6 };
}

/** Parses "192.0.2.0/24", "2001:db8::/32" or a bare address (a range of one). */
export function parseIpRange(text: string): IpRange | null {
  const [address, prefixText, extra] = text.trim().split("/");
  if (extra !== undefined || address === undefined) return null;
  const ip = parseIp(address);
  if (!ip) return null;
  const width = ip.version === 4 ? 32 : 128;
  let prefix = width;
  if (prefixText !== undefined) {
    if (!/^[0-9]{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    // A mapped address written with an IPv6 prefix: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
    if (ip.version === 4 && address.includes(":")) prefix -= 96;
    if (prefix < 0 || prefix > width) return null;
  }
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(width - prefix)) - 1n);
  return { version: ip.version, base: ip.value & mask, prefix };
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.version !== range.version) return false;
  const width = ip.version === 4 ? 32 : 128;
  const shift = BigInt(width - range.prefix);
  return ip.value >> shift === range.base >> shift;
}

/** A matcher for a list of ranges, or null when one of them does not parse (naming it). */
export function ipMatcher(ranges: readonly string[]): { matches(address: string): boolean } {
  const parsed = ranges.map((text) => {
    const range = parseIpRange(text);
    if (!range) throw new TypeError(`"${text}" is not an IP address or CIDR range such as 10.0.0.0/8 or 2001:db8::/32`);
    return range;
  });
  return {
    matches(address) {
      if (parsed.length === 0) return false;
      const ip = parseIp(address);
      return ip !== null && parsed.some((range) => inRange(ip, range));
    },
  };
}

/**
 * What a rate limit counts as one client: an IPv4 address, or an IPv6 /64 (one subscriber's
 * network: anyone with one has 2^64 addresses to rotate through). Unparseable text is its own key.
 */
export function rateLimitKey(address: string): string {
  // The usual case, a plain IPv4 address, is its own key: no need to parse it into a number.
  if (IPV4.test(address)) return address;
  const ip = parseIp(address);
  if (!ip) return address;
  if (ip.version === 4) return address.includes(":") ? [24n, 16n, 8n, 0n].map((shift) => (ip.value >> shift) & 0xffn).join(".") : address.trim();
  return `${(ip.value >> 64n).toString(16)}::/64`;
}
