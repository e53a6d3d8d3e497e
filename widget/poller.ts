/**
 * Follows an order's status from the server: looks now, then again with back-off (1.5 s, ×1.6, up
 * to 15 s) while it is not final. A nudge (the return page's message, focus back on the page, a
 * closed popup) looks at once and starts the back-off again. One look at a time.
 */
import type { Order, Result } from "./api.ts";

export interface Poller {
  /** Looks now and keeps looking until stop(). */
  start(): void;
  nudge(): void;
  stop(): void;
}

export function createPoller(look: () => Promise<Result<Order>> | null, onOrder: (order: Order) => void): Poller {
  let delay = 1500;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let looking = false;

  function poll() {
    clearTimeout(timer);
    if (!running || looking) return;
    const answer = look();
    if (!answer) return;
    looking = true;
    void answer.then((result) => {
      looking = false;
      if (!running) return;
      if (result.ok) onOrder(result.value);
      if (!running) return;
      timer = setTimeout(poll, delay);
      delay = Math.min(delay * 1.6, 15_000);
    });
  }

  return {
    start() {
      running = true;
      delay = 1500;
      poll();
    },
    nudge() {
      delay = 1500;
      poll();
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
