/**
 * The gateway's answers, with the exact texts of docs/gateway.md: the client recognises errors by
 * these texts as well as by status, so they must not drift.
 */

export interface GatewayReply {
  status: 200 | 400 | 401 | 404 | 500;
  body: unknown;
}

const SERVER_ERROR_TEXT = "An error occurred processing your request";

export const success = (data: unknown): GatewayReply => ({ status: 200, body: { result: "success", data } });

const refusal = (status: GatewayReply["status"], error: string, details: string): GatewayReply => ({
  status,
  body: { result: "error", data: { error, details } },
});

export const invalidParameters = (details: string) => refusal(400, "Invalid parameters", details);
export const duplicateOrder = (merchantOrderId: string) => refusal(400, "Duplicate order", `The merchant_order_id '${merchantOrderId}' already exists.`);
export const orderNotFound = (merchantOrderId: string) => refusal(404, "Order not found", `No order with merchant_order_id '${merchantOrderId}'.`);
export const unknownKey = () => refusal(401, "Unauthorized", "Unknown OC-Key.");
export const invalidSignature = () => refusal(401, "Unauthorized", "Invalid OC-Signature.");
export const serverError = (): GatewayReply => ({ status: 500, body: { result: "error", data: SERVER_ERROR_TEXT } });

/** "The 'amount' field is required." and its siblings: the gateway document's own phrasing. */
export const fieldMessage = (field: string, problem: string) => `The '${field}' field ${problem}.`;
