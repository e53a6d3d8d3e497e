import { describe, expect, it } from "vitest";
import { readCheckoutMessage } from "../widget/protocol.ts";

const server = "https://pay.example.com";
const popup = { name: "popup" };
const good = { octopusCheckout: { v: 1, event: "return", id: "ck_abcdefgh1234" } };

describe("widget message protocol", () => {
  it("accepts the envelope from the server's origin and the window we opened", () => {
    expect(readCheckoutMessage({ origin: server, source: popup, data: good }, { origin: server, source: popup })).toEqual(good.octopusCheckout);
  });

  it("ignores another origin, even a prefix or suffix of ours", () => {
    for (const origin of ["https://pay.example.com.evil.test", "https://evil.test", "http://pay.example.com", "null"]) {
      expect(readCheckoutMessage({ origin, source: popup, data: good }, { origin: server, source: popup })).toBeNull();
    }
  });

  it("ignores the right origin from another window", () => {
    expect(readCheckoutMessage({ origin: server, source: { name: "other" }, data: good }, { origin: server, source: popup })).toBeNull();
    expect(readCheckoutMessage({ origin: server, source: null, data: good }, { origin: server, source: null })).toBeNull();
  });

  it("ignores anything not of the exact shape", () => {
    const bad = [
      null,
      "octopusCheckout",
      { octopusCheckout: null },
      { octopusCheckout: { v: 2, event: "return", id: "ck_abcdefgh1234" } },
      { octopusCheckout: { v: 1, event: "paid", id: "ck_abcdefgh1234" } },
      { octopusCheckout: { v: 1, event: "return", id: "../../x" } },
      { octopusCheckout: { v: 1, event: "return" } },
    ];
    for (const data of bad) expect(readCheckoutMessage({ origin: server, source: popup, data }, { origin: server, source: popup })).toBeNull();
  });
});
