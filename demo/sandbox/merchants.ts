/** The merchant accounts the sandbox knows: who may call it, and with which secret. */

export interface SandboxMerchant {
  apiKey: string;
  apiSecret: string;
  merchantUid: string;
  merchantName: string;
  /** Payment methods enabled in this merchant's back office; all of the sandbox's methods when absent. */
  methods?: readonly string[] | undefined;
}

export const DEFAULT_MERCHANT: SandboxMerchant = {
  apiKey: "sandbox-key",
  apiSecret: "sandbox-secret",
  merchantUid: "sandbox-merchant",
  merchantName: "Sandbox Shop",
};

export interface MerchantRegistry {
  byKey(apiKey: string): SandboxMerchant | undefined;
  byUid(merchantUid: string): SandboxMerchant | undefined;
  all(): readonly SandboxMerchant[];
  allows(merchant: SandboxMerchant, payment: string): boolean;
}

export function createMerchantRegistry(merchants: readonly SandboxMerchant[]): MerchantRegistry {
  if (merchants.length === 0) throw new TypeError("The sandbox needs at least one merchant");
  const keys = new Map<string, SandboxMerchant>();
  const uids = new Map<string, SandboxMerchant>();
  for (const merchant of merchants) {
    for (const field of ["apiKey", "apiSecret", "merchantUid", "merchantName"] as const) {
      if (typeof merchant[field] !== "string" || merchant[field].length === 0) throw new TypeError(`Sandbox merchant ${field} must be a non-empty string`);
    }
    if (keys.has(merchant.apiKey)) throw new TypeError(`Two sandbox merchants share the OC-Key "${merchant.apiKey}"`);
    if (uids.has(merchant.merchantUid)) throw new TypeError(`Two sandbox merchants share the merchant UID "${merchant.merchantUid}"`);
    keys.set(merchant.apiKey, merchant);
    uids.set(merchant.merchantUid, merchant);
  }
  return {
    byKey: (apiKey) => keys.get(apiKey),
    byUid: (merchantUid) => uids.get(merchantUid),
    all: () => merchants,
    allows: (merchant, payment) => merchant.methods === undefined || merchant.methods.includes(payment),
  };
}
