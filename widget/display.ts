/** Which way the payment page is shown, and opening the popup inside the click. */
import type { Mode } from "./types.ts";

// In-app browsers (LINE, Facebook, Instagram, TikTok, Zalo) lose popups or their openers.
const IN_APP = /\b(FBAN|FBAV|FB_IAB|Instagram|Line\/|TikTok|musical_ly|Bytedance|Zalo)/i;
const MOBILE = /Android|iPhone|iPad|iPod|Mobile/i;

export function resolveMode(mode: Mode | undefined, userAgent: string): Exclude<Mode, "auto"> {
  if (mode && mode !== "auto") return mode;
  // Phones open "popups" as tabs that the OS may kill while a banking app is up: a redirect survives.
  return IN_APP.test(userAgent) || MOBILE.test(userAgent) ? "redirect" : "popup";
}

/**
 * Must run synchronously inside the click handler, before any await, or popup blockers stop it.
 * The window shows the server's waiting page until the order exists.
 */
export function openPopup(win: Window, url: string): Window | null {
  const width = 480;
  const height = Math.min(760, win.screen.availHeight || 760);
  const left = Math.max(0, (win.screenX || 0) + ((win.outerWidth || width) - width) / 2);
  const top = Math.max(0, (win.screenY || 0) + ((win.outerHeight || height) - height) / 2);
  try {
    return win.open(url, "octopus_checkout", `popup,width=${width},height=${height},left=${left},top=${top}`);
  } catch {
    return null;
  }
}
