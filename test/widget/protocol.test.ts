/**
 * The postMessage contract between the server's pages and the widget: origin tricks, window
 * identity, the order of the checks, and shapes that are close to ours.
 */
import { describe, expect, it } from "vitest";
import { MESSAGE_EVENTS, PROTOCOL_VERSION, readCheckoutMessage } from "../../widget/protocol.ts";

const server = "https://pay.example.com";
const popup = { name: "popup" };
const id = "ck_AAAAbbbbCCCCddddEEEE12";
const envelope = (fields: Record<string, unknown>) => ({ octopusCheckout: { v: 1, event: "return", id, ...fields } });
const read = (message: { origin?: string; source?: unknown; data?: unknown }, expectedSource: unknown = popup) =>
  readCheckoutMessage({ origin: server, source: popup, data: envelope({}), ...message }, { origin: server, source: expectedSource });

describe("readCheckoutMessage: origin", () => {
  it.each([
    "https://pay.example.co",
    "https://pay.example.com.",
    "https://pay.example.com:443",
    "https://pay.example.com:8443",
    "https://pay.example.com/",
    "https://pay.example.com/checkout",
    "HTTPS://PAY.EXAMPLE.COM",
    " https://pay.example.com",
    "https://evil-pay.example.com",
    "https://evilpay.example.com",
    "https://sub.pay.example.com",
    "https://pay.example.com@evil.test",
    "https://pay.example.company",
    "https://pay.example.com.evil.test",
    "https://evil.test",
    "http://pay.example.com",
    "wss://pay.example.com",
    "null",
    "",
  ])("ignores %j", (origin) => {
    expect(read({ origin })).toBeNull();
  });

  it("checks the origin before looking at the data at all", () => {
    const data = {
      get octopusCheckout(): never {
        throw new Error("the data was read");
      },
    };
    expect(read({ origin: "https://evil.test", data })).toBeNull();
    expect(read({ source: { name: "other" }, data })).toBeNull();
    expect(() => read({ data })).toThrow("the data was read");
  });
});

describe("readCheckoutMessage: window", () => {
  it("wants the very window it opened, not one that looks like it", () => {
    expect(read({ source: { ...popup } })).toBeNull();
    expect(read({ source: { name: "popup" } })).toBeNull();
    expect(read({ source: undefined })).toBeNull();
  });

  it("ignores everything while it has no window to listen to", () => {
    expect(read({ source: undefined }, undefined)).toBeNull();
    expect(read({ source: null }, null)).toBeNull();
    expect(read({ source: popup }, null)).toBeNull();
  });
});

describe("readCheckoutMessage: shape", () => {
  it("accepts each event of the protocol and answers a clean copy", () => {
    for (const event of MESSAGE_EVENTS) {
      expect(read({ data: envelope({ event, extra: "<script>" }) })).toEqual({ v: PROTOCOL_VERSION, event, id });
    }
  });

  it.each([
    ["a string of the envelope", JSON.stringify(envelope({}))],
    ["an array", [envelope({})]],
    ["a number", 1],
    ["undefined", undefined],
    ["the envelope without its key", envelope({}).octopusCheckout],
    ["another key", { octopus: envelope({}).octopusCheckout }],
    ["v as a string", envelope({ v: "1" })],
    ["v missing", envelope({ v: undefined })],
    ["v 0", envelope({ v: 0 })],
    ["v 2 (a version we do not speak)", envelope({ v: 2 })],
    ["event paid (not ours to announce)", envelope({ event: "paid" })],
    ["event in capitals", envelope({ event: "RETURN" })],
    ["event not a string", envelope({ event: ["return"] })],
    ["event success (the widget's own DOM event name)", envelope({ event: "success" })],
    ["id too short", envelope({ id: "ck_1234" })],
    ["id too long", envelope({ id: `ck_${"a".repeat(62)}` })],
    ["id with a slash", envelope({ id: "ck_abc/def/ghi" })],
    ["id with a space", envelope({ id: "ck_abcdefgh 1234" })],
    ["id as a number", envelope({ id: 12345678901 })],
    ["id with a newline", envelope({ id: `${id}\n` })],
    ["id as a path", envelope({ id: "../../x" })],
    ["id missing", envelope({ id: undefined })],
    ["the envelope as a string", { octopusCheckout: JSON.stringify(envelope({}).octopusCheckout) }],
  ])("ignores %s", (_what, data) => {
    expect(read({ data })).toBeNull();
  });

  it("accepts the shortest and longest ids", () => {
    expect(read({ data: envelope({ id: "abcd-_12" }) })?.id).toBe("abcd-_12");
    expect(read({ data: envelope({ id: "a".repeat(64) }) })?.id).toBe("a".repeat(64));
  });
});
