/**
 * The gateway's fields that stay on the server. One list, so that the public view, the log's
 * redaction and the tests cannot drift apart.
 */

/** Never in a response to a browser, never in a log line: credentials, the shopper's device, the merchant's account. */
export const SENSITIVE_ORDER_FIELDS = ["signature_key", "ip", "user_agent", "distribute_rules", "merchant_uid", "merchant_name"] as const;

/** The payer's and payee's account details (income and expense checks): shoppers' data, never in a log line. */
export const PARTY_FIELDS = ["from", "from_name", "from_bank_name", "to", "to_name", "to_bank_name"] as const;

/** Every gateway field the log redacts, wherever it appears in what is logged. */
export const SENSITIVE_GATEWAY_FIELDS: readonly string[] = [...SENSITIVE_ORDER_FIELDS, ...PARTY_FIELDS];
