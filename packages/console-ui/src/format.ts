/** A timestamp as the operator's locale shows it, with the ISO value as a tooltip-free fallback. */
export function when(iso: string | null): string {
  if (iso === null) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function fullName(user: { first_name: string | null; last_name: string | null }): string {
  return [user.first_name, user.last_name].filter((part) => part !== null && part !== "").join(" ");
}

export function sessionStatus(session: { revoked_at: string | null; expires_at: string }): "active" | "revoked" | "expired" {
  if (session.revoked_at !== null) return "revoked";
  return new Date(session.expires_at).getTime() <= Date.now() ? "expired" : "active";
}
