/**
 * Ids draw their random bytes from a pool refilled 4 KiB at a time: no byte may be handed out twice,
 * across refills and across the kinds of id, or two orders could share an id.
 */
import { describe, expect, it } from "vitest";
import { CHECKOUT_ID, EVENT_ID, newCheckoutId, newEventId, newMerchantOrderId, newPayoutId, newSessionId, PAYOUT_ID, SESSION_ID } from "../../server/ids.ts";

describe("ids", () => {
  it("are well-formed and never repeat, over many pool refills and every kind of id", () => {
    const seen = new Set<string>();
    const randomParts = new Set<string>();
    // 16 + 16 + 16 + 16 + 8 bytes a turn: 2,000 turns draw about 36 pools of 4 KiB.
    for (let i = 0; i < 2_000; i++) {
      const ids = [newCheckoutId(), newSessionId(), newEventId(), newPayoutId()];
      expect(CHECKOUT_ID.test(ids[0]!) && SESSION_ID.test(ids[1]!) && EVENT_ID.test(ids[2]!) && PAYOUT_ID.test(ids[3]!)).toBe(true);
      for (const id of ids) randomParts.add(id.slice(id.indexOf("_") + 1));
      const merchantOrderId = newMerchantOrderId("ord", 1_700_000_000_000);
      expect(merchantOrderId).toMatch(/^ord-[0-9a-z]+-[0-9a-f]{16}$/);
      randomParts.add(merchantOrderId.slice(-16));
      for (const id of [...ids, merchantOrderId]) seen.add(id);
    }
    expect(seen.size).toBe(10_000);
    // The random parts alone are distinct too (the same bytes under another prefix would not show above).
    expect(randomParts.size).toBe(10_000);
  });
});
