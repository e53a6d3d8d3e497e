import { describe, expect, it } from "vitest";
import {
  UnsignableFieldError,
  canonicalString,
  loadNodeCrypto,
  nodeCryptoDigests,
  selectDigests,
  signFields,
  timingSafeEqualHex,
  verifyFields,
  webCryptoDigests,
} from "../../server/gateway/signing.ts";
import { JAVA_SAMPLE, JAVA_SAMPLE_SIGNATURE } from "../support/java-sample.ts";

// The gateway documents' Java create sample, field for field.
const javaSample = { ...JAVA_SAMPLE };

describe("signing", () => {
  it("builds the documents' string: keys sorted, raw key=value joined by &", () => {
    expect(canonicalString(javaSample)).toBe(
      "amount=100.00&country=ph&currency=php&merchant_order_id=123qq&merchant_uid=Merchant_UID&notify_url=https://example.com/notify&payment=gcash&redirect_url=https://example.com/redirect&response_type=json&transaction_type=income",
    );
  });

  it("matches the create sample's test vector", async () => {
    expect(await signFields("API_SECRET", javaSample)).toBe(JAVA_SAMPLE_SIGNATURE);
  });

  it("matches the query sample's test vector", async () => {
    expect(await signFields("API_SECRET", { merchant_order_id: "12345611" })).toBe("d5acd67441c6d2f1b5f843f203d3c0a699051a2cd0a0ed26195b0bcbe3f9bee9");
  });

  it("does not depend on the order the fields were given in", async () => {
    const reversed = Object.fromEntries(Object.entries(javaSample).reverse());
    expect(await signFields("API_SECRET", reversed)).toBe(await signFields("API_SECRET", javaSample));
  });

  it("sorts by byte order, so upper case comes before lower case and '_' between them", () => {
    expect(canonicalString({ b: "1", B: "2", a_b: "3", ab: "4" })).toBe("B=2&a_b=3&ab=4&b=1");
  });

  it.each([
    ["&", "1&b=2"],
    ["=", "x=y"],
    ["a newline", "line\nbreak"],
    ["a NUL", "a\u0000b"],
    ["DEL", "a\u007fb"],
  ])("refuses a value with %s, naming the field", (_what, value) => {
    expect(() => canonicalString({ ok: "1", description: value })).toThrow(UnsignableFieldError);
    expect(() => canonicalString({ ok: "1", description: value })).toThrow(/"description"/);
  });

  it("cannot be tricked into signing {a:'1&b=2'} as if it were {a:'1',b:'2'}", async () => {
    await expect(signFields("s", { a: "1&b=2" })).rejects.toThrow(/"a"/);
  });

  it("refuses ambiguous keys", () => {
    expect(() => canonicalString({ "a&b": "1" })).toThrow(UnsignableFieldError);
    expect(() => canonicalString({ "": "1" })).toThrow(UnsignableFieldError);
  });

  it("keeps non-ASCII values as raw UTF-8", async () => {
    expect(canonicalString({ from_name: "ชื่อ 名字" })).toBe("from_name=ชื่อ 名字");
    const a = await signFields("k", { from_name: "ชื่อ" });
    const b = await signFields("k", { from_name: "ชื่อ " });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it("verifies good signatures and rejects altered ones", async () => {
    const signature = await signFields("API_SECRET", javaSample);
    expect(await verifyFields("API_SECRET", javaSample, signature)).toBe(true);
    expect(await verifyFields("API_SECRET", javaSample, signature.toUpperCase())).toBe(true);
    expect(await verifyFields("API_SECRET", { ...javaSample, amount: "100.01" }, signature)).toBe(false);
    expect(await verifyFields("other", javaSample, signature)).toBe(false);
    expect(await verifyFields("API_SECRET", javaSample, signature.slice(0, 63))).toBe(false);
    expect(await verifyFields("API_SECRET", javaSample, null)).toBe(false);
    expect(await verifyFields("API_SECRET", javaSample, "z".repeat(64))).toBe(false);
  });

  it("verification computes what a sender computed even for values we would refuse to send", async () => {
    const fields = { redirect_url: "https://shop.example/back?a=1&b=2" };
    const { hmacSha256Hex } = await import("../../server/gateway/signing.ts");
    const theirs = await hmacSha256Hex("s", "redirect_url=https://shop.example/back?a=1&b=2");
    expect(await verifyFields("s", fields, theirs)).toBe(true);
  });

  it("compares in constant time but correctly", () => {
    expect(timingSafeEqualHex("abcd", "abcd")).toBe(true);
    expect(timingSafeEqualHex("abcd", "abce")).toBe(false);
    expect(timingSafeEqualHex("abcd", "abcde")).toBe(false);
  });
});

describe("digest backends", () => {
  const node = loadNodeCrypto();
  const backends = [selectDigests(null), ...(node ? [nodeCryptoDigests(node)] : [])];

  it("uses node:crypto on Node and Web Crypto when the runtime has no node:crypto", () => {
    expect(node, "Node 20.16+ has process.getBuiltinModule").toBeDefined();
    expect(selectDigests(node).name).toBe("node:crypto");
    expect(selectDigests(null).name).toBe("web-crypto");
  });

  it.each(backends.map((backend) => [backend.name, backend] as const))("%s gives the documents' test vectors and SHA-256's", async (_name, backend) => {
    expect(await backend.hmacSha256Hex("API_SECRET", canonicalString(javaSample))).toBe(JAVA_SAMPLE_SIGNATURE);
    expect(await backend.hmacSha256Hex("API_SECRET", "merchant_order_id=12345611")).toBe("d5acd67441c6d2f1b5f843f203d3c0a699051a2cd0a0ed26195b0bcbe3f9bee9");
    // FIPS 180-2's "abc", and non-ASCII text hashed as UTF-8.
    expect(await backend.sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await backend.sha256Hex("ชื่อ")).toBe(await webCryptoDigests().sha256Hex("ชื่อ"));
    expect(await backend.hmacSha256Hex("คีย์", "ชื่อ=ค่า")).toBe(await webCryptoDigests().hmacSha256Hex("คีย์", "ชื่อ=ค่า"));
  });
});
