/**
 * `orders refresh`: re-read an order from the gateway now. With a live gateway the CLI asks it
 * directly (the gateway client built as server/main.ts builds it) and records the change in the
 * store, in the same transaction as its event, which the running server then delivers. In sandbox
 * mode the sandbox gateway exists only inside the running server, so the CLI asks the server's
 * merchant API to do it: that is the answer a merchant testing in sandbox mode wants, where a
 * "not possible" would leave them to curl it by hand.
 */
import { createOctopusClient } from "../gateway/client.ts";
import { silentLogger } from "../log.ts";
import { MerchantOrder } from "../merchant/schemas.ts";
import { merchantOrderView } from "../merchant/views.ts";
import { createOrderService } from "../orders/service.ts";
import type { PaymentStatus } from "../gateway/schemas.ts";
import { storeLocation } from "../store/open-problem.ts";
import type { CliContext } from "./context.ts";
import { CliError, oneLine } from "./errors.ts";
import { callServer } from "./server-api.ts";

export interface Refreshed {
  before: PaymentStatus;
  order: MerchantOrder;
  /** How it was read: directly from the gateway, or through the running server (sandbox). */
  via: "gateway" | "server";
}

function parsedOrder(body: unknown, publicUrl: string): MerchantOrder {
  const parsed = MerchantOrder.safeParse(body);
  if (!parsed.success) throw new CliError(`the server at ${publicUrl} answered something that is not an order`);
  return parsed.data;
}

export async function refreshOrder(context: CliContext, id: string): Promise<Refreshed> {
  const settings = context.settings();
  if (settings.gateway.mode === "sandbox") {
    const before = parsedOrder(await callServer(settings, "GET", `/orders/${id}`), settings.publicUrl);
    const order = parsedOrder(await callServer(settings, "POST", `/orders/${id}/refresh`), settings.publicUrl);
    return { before: before.status, order, via: "server" };
  }

  const store = await context.store();
  const order = await store.get(id);
  if (!order) throw new CliError(`no order ${id} in the store (${storeLocation(settings)})`);
  const gateway = createOctopusClient({
    baseUrl: settings.gateway.apiUrl,
    apiKey: settings.gateway.apiKey,
    apiSecret: settings.gateway.apiSecret,
    merchantUid: settings.gateway.merchantUid,
    timeoutMs: settings.gateway.timeoutMs,
  });
  const service = createOrderService({
    store,
    gateway,
    config: settings.config,
    publicUrl: settings.publicUrl,
    allowedOrigins: new Set([settings.publicUrl]),
    // The service logs for a server's log collector; the CLI reports in one line of its own.
    logger: silentLogger,
    now: context.now,
  });
  // The gateway never had a rejected order: there is nothing to read back.
  if (order.gatewayState === "rejected") return { before: order.status, order: merchantOrderView(order, await store.history(id)), via: "gateway" };
  let updated;
  try {
    updated = await service.refreshFromGateway(order, "refresh");
  } catch (error) {
    throw new CliError(`could not read ${id} from the gateway (${new URL(settings.gateway.apiUrl).host}): ${oneLine(error)}`);
  }
  return { before: order.status, order: merchantOrderView(updated, await store.history(id)), via: "gateway" };
}
