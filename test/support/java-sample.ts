/** The body of the gateway documents' Java create sample, field for field, and the signature it publishes. */
export const JAVA_SAMPLE: Readonly<Record<string, string>> = Object.freeze({
  transaction_type: "income",
  amount: "100.00",
  currency: "php",
  payment: "gcash",
  merchant_order_id: "123qq",
  merchant_uid: "Merchant_UID",
  redirect_url: "https://example.com/redirect",
  notify_url: "https://example.com/notify",
  response_type: "json",
  country: "ph",
});

/** HMAC-SHA256 of JAVA_SAMPLE with the sample's secret "API_SECRET". */
export const JAVA_SAMPLE_SIGNATURE = "a735124d234be9260c00dfbe8194372f8a7a215dc8d0a5497ac9fff538398bfc";
