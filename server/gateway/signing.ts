/**
 * Octopus request signing, exactly as the gateway documents' Java samples do it:
 * sort the body's keys by byte order, join `key=value` with `&` (raw, no URL-encoding),
 * HMAC-SHA256 the UTF-8 string with the API secret, lower-case hex.
 *
 * Known test vectors (secret `API_SECRET`):
 *   the Java create sample's ten fields → a735124d234be9260c00dfbe8194372f8a7a215dc8d0a5497ac9fff538398bfc
 *   {merchant_order_id: "12345611"}     → d5acd67441c6d2f1b5f843f203d3c0a699051a2cd0a0ed26195b0bcbe3f9bee9
 *
 * HMAC and SHA-256 come from `node:crypto` where the runtime has it (synchronous: no thread-pool
 * round trip per signature), else from Web Crypto, so that the client still runs wherever Hono runs.
 * `node:crypto` is looked up at run time (`process.getBuiltinModule`), never imported, so that a
 * runtime without it never even tries to load it.
 */

export type SignableFields = Readonly<Record<string, string>>;

/** A value the scheme cannot sign unambiguously; `field` names the body field. */
export class UnsignableFieldError extends Error {
  override readonly name = "UnsignableFieldError";
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`Field "${field}" ${reason}`);
  }
}

// The joined string has no escaping, so `{a:"1&b=2"}` and `{a:"1",b:"2"}` would sign alike:
// a value with `&` or `=` would let one signed body pass for another. Control characters
// (including newlines) have no business in any documented field and are refused for the same reason.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const UNSIGNABLE = /[&=\u0000-\u001f\u007f]/;

function byteOrder(a: string, b: string): number {
  // Java's TreeMap orders by UTF-16 code unit, which equals byte order for the ASCII keys the API uses.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The string that gets signed. With `strict` (the default, for anything we send) a key or value
 * that would make the string ambiguous is refused with an error naming the field; verification of
 * what others sent uses `strict: false` so that it computes what they computed.
 */
export function canonicalString(fields: SignableFields, { strict = true } = {}): string {
  const keys = Object.keys(fields).sort(byteOrder);
  let joined = "";
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const value = fields[key];
    if (typeof value !== "string") throw new UnsignableFieldError(key, "must be a string to be signed");
    // One test for the usual case (nothing to refuse), the precise ones only to say what is wrong.
    if (strict && (key.length === 0 || UNSIGNABLE.test(key) || UNSIGNABLE.test(value))) {
      if (key.length === 0 || /[&=]/.test(key) || CONTROL.test(key)) {
        throw new UnsignableFieldError(key, "is not a valid field name");
      }
      if (/[&=]/.test(value)) throw new UnsignableFieldError(key, 'must not contain "&" or "=": the signature could not tell it from two fields');
      throw new UnsignableFieldError(key, "must not contain control characters");
    }
    joined += index === 0 ? `${key}=${value}` : `&${key}=${value}`;
  }
  return joined;
}

const encoder = new TextEncoder();

/** The two digests the project needs; each backend may answer synchronously or not. */
export interface Digests {
  readonly name: "node:crypto" | "web-crypto";
  hmacSha256Hex(secret: string, message: string): string | Promise<string>;
  sha256Hex(text: string): string | Promise<string>;
}

function toHex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Web Crypto: everywhere, but every call is a round trip through a thread pool. */
export function webCryptoDigests(subtle: SubtleCrypto = globalThis.crypto.subtle): Digests {
  const keyCache = new Map<string, Promise<CryptoKey>>();
  const hmacKey = (secret: string): Promise<CryptoKey> => {
    let key = keyCache.get(secret);
    if (!key) {
      key = subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      // A handful of secrets at most per process (one per configured merchant), so no eviction.
      keyCache.set(secret, key);
    }
    return key;
  };
  return {
    name: "web-crypto",
    async hmacSha256Hex(secret, message) {
      return toHex(await subtle.sign("HMAC", await hmacKey(secret), encoder.encode(message)));
    },
    async sha256Hex(text) {
      return toHex(await subtle.digest("SHA-256", encoder.encode(text)));
    },
  };
}

type NodeCrypto = typeof import("node:crypto");

/** `node:crypto` when the runtime has it, without a static import that would fail elsewhere. */
export function loadNodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
  } catch {
    return undefined;
  }
}

/** `node:crypto`: synchronous, about ten times cheaper per call than Web Crypto on Node. */
export function nodeCryptoDigests(nodeCrypto: NodeCrypto): Digests {
  return {
    name: "node:crypto",
    hmacSha256Hex: (secret, message) => nodeCrypto.createHmac("sha256", secret).update(message, "utf8").digest("hex"),
    sha256Hex: (text) => nodeCrypto.createHash("sha256").update(text, "utf8").digest("hex"),
  };
}

/** node:crypto if given one, else Web Crypto. */
export function selectDigests(nodeCrypto: NodeCrypto | null | undefined): Digests {
  return nodeCrypto ? nodeCryptoDigests(nodeCrypto) : webCryptoDigests();
}

const digests = selectDigests(loadNodeCrypto());

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  return digests.hmacSha256Hex(secret, message);
}

/** SHA-256 of the UTF-8 text, lower-case hex. */
export async function sha256Hex(text: string): Promise<string> {
  return digests.sha256Hex(text);
}

/** Signs a body we are about to send. Throws `UnsignableFieldError` for an ambiguous field. */
export async function signFields(secret: string, fields: SignableFields): Promise<string> {
  return hmacSha256Hex(secret, canonicalString(fields));
}

/** Constant-time comparison, so that a forger cannot learn a signature byte by byte from timing. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let diff = x.length ^ y.length;
  const length = Math.max(x.length, y.length);
  for (let i = 0; i < length; i++) diff |= (x.charCodeAt(i) || 0) ^ (y.charCodeAt(i) || 0);
  return diff === 0;
}

/**
 * Checks a signature someone else computed over `fields` (a request to the sandbox, a notification
 * to the server). Never throws for odd values: an unverifiable body is simply not verified.
 */
export async function verifyFields(secret: string, fields: SignableFields, signature: string | null | undefined): Promise<boolean> {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  let expected: string;
  try {
    expected = await hmacSha256Hex(secret, canonicalString(fields, { strict: false }));
  } catch {
    return false;
  }
  return timingSafeEqualHex(expected, signature);
}
