/** Which way the payment page is shown, and opening the popup inside the click. */
import type { Mode } from "./types.ts";

// In-app browsers (LINE, Facebook, Instagram, TikTok, Zalo) lose popups or their openers; phones open
// "popups" as tabs that the OS may kill while a banking app is up. A redirect survives both.
// ("Mobile" is in every iPhone, iPod, iPad Safari and Android phone user agent; Android tablets name Android.)
const NO_POPUP = /Mobile|Android|FBA[NV]|FB_IAB|Instagram|\bLine\/|TikTok|musical_ly|Bytedance|Zalo/i;

export function resolveMode(mode: Mode | undefined, userAgent: string): Exclude<Mode, "auto"> {
  return mode && mode !== "auto" ? mode : NO_POPUP.test(userAgent) ? "redirect" : "popup";
}

/**
 * Must run synchronously inside the click handler, before any await, or popup blockers stop it.
 * The window shows the server's waiting page until the order exists. Centred on the page's window.
 */
export function openPopup(win: Window, url: string): Window | null {
  const height = Math.min(760, win.screen.availHeight || 760);
  // Screen coordinates may be negative (a monitor left of the main one): the browser keeps the window on screen.
  const at = (start: number, outer: number, size: number) => start + (outer - size) / 2 || 0;
  try {
    return win.open(url, "octopus_checkout", `popup,width=480,height=${height},left=${at(win.screenX, win.outerWidth, 480)},top=${at(win.screenY, win.outerHeight, height)}`);
  } catch {
    return null;
  }
}
