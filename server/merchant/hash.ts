/** SHA-256 in hex, synchronous (node:crypto): request fingerprints and key comparison. */
import { createHash } from "node:crypto";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
