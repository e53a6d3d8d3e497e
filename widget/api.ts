/** The widget's calls to its server. Errors come back as the server's `{code, message, field}`. */
// Type-only: erased from the bundle, so nothing of the server (or zod) ships to the browser.
import type { PublicOrder, PublicSession } from "../server/orders/public-view.ts";
import type { ApiError, Catalog } from "./types.ts";

/** An order as `GET /api/checkout/:id` answers: the server's own type, so the two cannot drift. */
export type Order = PublicOrder;

/** A checkout session as `GET /api/checkout/sessions/:id` answers: the server's own type. */
export type Session = PublicSession;

/** A failure's `error` is the server's, or empty when there was no answer (status 0) or no JSON. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: Partial<ApiError>; status: number };

export function createApi(server: string) {
  const call = <T>(path: string, init?: RequestInit): Promise<Result<T>> =>
    fetch(server + path, { ...init, credentials: "omit" }).then(
      async (response) => {
        const body = await response.json().catch(() => null);
        return response.ok ? { ok: true, value: body } : { ok: false, status: response.status, error: body?.error ?? {} };
      },
      // No answer at all: status 0 tells the caller that the request may still have landed.
      () => ({ ok: false, status: 0, error: {} }),
    );
  const order = (id: string) => `/api/checkout/${encodeURIComponent(id)}`;
  return {
    catalog: () => call<Catalog>("/api/checkout/options"),
    /** `signal`: the shopper gave up waiting; the answer then looks like no answer (status 0), and the same key gets the order back. */
    create: (body: object, key: string, signal?: AbortSignal) =>
      call<Order>("/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": key }, body: JSON.stringify(body), signal }),
    status: (id: string) => call<Order>(order(id)),
    session: (id: string) => call<Session>(`/api/checkout/sessions/${encodeURIComponent(id)}`),
    /** Iframe mode: whether the payment page lets itself be framed (null when nobody can tell). */
    framing: (id: string) => call<{ frameable: boolean | null }>(`${order(id)}/framing`),
  };
}

export type Api = ReturnType<typeof createApi>;
