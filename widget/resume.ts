/**
 * Remembers the order in progress, so that closing the widget loses nothing: reopening it (or
 * coming back from a banking app) resumes the same order while it can still be paid.
 */
const key = (server: string) => `octopus-checkout:${server}`;

export function remember(server: string, id: string, expiresAt: string): void {
  try {
    localStorage.setItem(key(server), JSON.stringify({ id, exp: Date.parse(expiresAt) }));
  } catch {
    // Private mode or storage off: resuming is a comfort, not a requirement.
  }
}

export function recall(server: string): string | null {
  try {
    const saved = JSON.parse(localStorage.getItem(key(server)) ?? "null") as { id?: string; exp?: number } | null;
    if (saved?.id && (saved.exp ?? 0) > Date.now()) return saved.id;
    forget(server);
  } catch {
    // Unreadable: treat as nothing saved.
  }
  return null;
}

export function forget(server: string): void {
  try {
    localStorage.removeItem(key(server));
  } catch {
    // Nothing to do.
  }
}
