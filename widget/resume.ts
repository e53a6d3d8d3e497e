/**
 * Remembers the order in progress, so that closing the widget loses nothing: reopening it (or
 * coming back from a banking app) resumes the same order while it can still be paid. Storage may
 * be off or full (private mode): resuming is a comfort, not a requirement, so failures are quiet.
 */
const slot = (server: string) => `octopus-checkout:${server}`;

export function remember(server: string, id: string, expiresAt: string): void {
  try {
    localStorage.setItem(slot(server), JSON.stringify({ id, exp: Date.parse(expiresAt) }));
  } catch {}
}

export function recall(server: string): string | null {
  try {
    const saved = JSON.parse(localStorage.getItem(slot(server))!) as { id: string; exp: number };
    if (saved.exp > Date.now()) return saved.id;
  } catch {}
  forget(server);
  return null;
}

export function forget(server: string): void {
  try {
    localStorage.removeItem(slot(server));
  } catch {}
}
