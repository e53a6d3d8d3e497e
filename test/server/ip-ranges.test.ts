import { describe, expect, it } from "vitest";
import { ipMatcher, parseIp, parseIpRange, rateLimitKey } from "../../server/middleware/ip-ranges.ts";

describe("IP addresses and ranges", () => {
  it.each([
    ["192.0.2.1", 4, 0xc0000201n],
    ["::1", 6, 1n],
    ["2001:db8::1", 6, 0x20010db8000000000000000000000001n],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", 6, 0x20010db8000000000000000000000001n],
    ["::ffff:192.0.2.1", 4, 0xc0000201n],
    ["[2001:db8::1]", 6, 0x20010db8000000000000000000000001n],
    ["fe80::1%eth0", 6, 0xfe800000000000000000000000000001n],
    ["::", 6, 0n],
  ])("parses %s", (text, version, value) => {
    expect(parseIp(text)).toEqual({ version, value });
  });

  it.each(["", "1.2.3", "256.1.1.1", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", "unknown", "1:2:3:4:5:6:7::8"])("refuses %j", (text) => {
    expect(parseIp(text)).toBeNull();
  });

  it("matches CIDR ranges of both families, and nothing with an empty list", () => {
    const trusted = ipMatcher(["10.0.0.0/8", "192.0.2.7", "2001:db8:1::/48", "::1"]);
    expect(trusted.matches("10.200.3.4")).toBe(true);
    expect(trusted.matches("::ffff:10.1.1.1")).toBe(true);
    expect(trusted.matches("11.0.0.1")).toBe(false);
    expect(trusted.matches("192.0.2.7")).toBe(true);
    expect(trusted.matches("192.0.2.8")).toBe(false);
    expect(trusted.matches("2001:db8:1:ffff::5")).toBe(true);
    expect(trusted.matches("2001:db8:2::5")).toBe(false);
    expect(trusted.matches("::1")).toBe(true);
    expect(trusted.matches("garbage")).toBe(false);
    expect(ipMatcher([]).matches("127.0.0.1")).toBe(false);
    expect(parseIpRange("10.0.0.0/33")).toBeNull();
    expect(parseIpRange("2001:db8::/129")).toBeNull();
    expect(parseIpRange("10.0.0.0/8/8")).toBeNull();
    expect(() => ipMatcher(["10.0.0.0/8", "nope"])).toThrow(/"nope"/);
  });

  it("counts an IPv6 /64 as one client, and a mapped IPv4 address as that address", () => {
    expect(rateLimitKey("2001:db8:1:2:aaaa::1")).toBe(rateLimitKey("2001:db8:1:2:bbbb::9"));
    expect(rateLimitKey("2001:db8:1:2::1")).not.toBe(rateLimitKey("2001:db8:1:3::1"));
    expect(rateLimitKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(rateLimitKey("192.0.2.1")).toBe("192.0.2.1");
  });
});
