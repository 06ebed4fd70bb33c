/** Who is making a request, and from where; every audit event records it. */
export interface RequestContext {
  tenantId: string;
  actor: { type: "api_key" | "user" | "anonymous" | "system"; id: string | null };
  ip: string | null;
  userAgent: string | null;
}
