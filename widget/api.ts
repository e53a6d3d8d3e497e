/** The widget's three calls to its server. Errors come back as the server's `{code, message, field}`. */
import type { ApiError, Catalog, Order } from "./types.ts";

export type Result<T> = { ok: true; value: T; replayed?: boolean } | { ok: false; error: ApiError; status: number };

async function call<T>(url: string, init?: RequestInit): Promise<Result<T>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, credentials: "omit" });
  } catch {
    return { ok: false, status: 0, error: { code: "network", message: "" } };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok) return { ok: true, value: body as T, replayed: response.status === 200 };
  const error = (body as { error?: ApiError } | null)?.error;
  return { ok: false, status: response.status, error: error ?? { code: "http", message: "" } };
}

export function createApi(server: string) {
  return {
    catalog: () => call<Catalog>(`${server}/api/checkout/options`),
    create: (body: Record<string, unknown>, key: string) =>
      call<Order>(`${server}/api/checkout`, { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": key }, body: JSON.stringify(body) }),
    status: (id: string) => call<Order>(`${server}/api/checkout/${encodeURIComponent(id)}`),
  };
}

export type Api = ReturnType<typeof createApi>;
