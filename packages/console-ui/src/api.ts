/** The console's JSON API client: same-origin, cookie-authenticated, CSRF token on every change. */

export interface ApiErrorBody {
  error: { type: string; code: string; message: string; param?: string };
}

/** An error answer of the console API, with the server's code and message. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

let csrfToken = "";

/** Remembers the session's CSRF token (from sign-in or `/session`). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function failure(response: Response): Promise<ConsoleApiError> {
  const body = (await response.json().catch(() => null)) as ApiErrorBody | null;
  return new ConsoleApiError(response.status, body?.error.code ?? "http_error", body?.error.message ?? `HTTP ${response.status}`, body?.error.param);
}

/** Calls `/console/api{path}`; a body is sent as JSON. Non-GET requests carry `X-CSRF-Token`. */
export async function api<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") headers["x-csrf-token"] = csrfToken;
  if (body !== undefined) headers["content-type"] = "application/json";
  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal !== undefined) init.signal = signal;
  const response = await fetch(`/console/api${path}`, init);
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** POSTs and saves the answer as a file download (the export). */
export async function download(path: string, filename: string): Promise<void> {
  const response = await fetch(`/console/api${path}`, {
    method: "POST",
    headers: { "x-csrf-token": csrfToken, "content-type": "application/json" },
    body: "{}",
    credentials: "same-origin",
  });
  if (!response.ok) throw await failure(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Builds a query string from the defined, non-empty values. */
export function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

export interface User {
  id: string;
  email: string;
  email_verified: boolean;
  first_name: string | null;
  last_name: string | null;
  phone_number: string | null;
  avatar_url: string | null;
  metadata: Record<string, unknown>;
  disabled: boolean;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  total: number;
}

/** The users page: the rows without their total, which `/users/count` answers on its own. */
export interface UncountedPage<T> extends Omit<Page<T>, "total"> {
  total: null;
}

export interface Session {
  id: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  ip_address: string | null;
  user_agent: string | null;
  impersonator: { actor_id: string; reason: string } | null;
}

export interface Membership {
  org_id: string;
  org_name: string;
  role: string;
  created_at: string;
}

export interface AuditEvent {
  id: string;
  type: string;
  actor: { type: string; id: string | null };
  data: Record<string, unknown>;
  created_at: string;
}

export interface UserDetail {
  user: User;
  sessions: Session[];
  memberships: Membership[];
  audit_events: AuditEvent[];
}

export interface Organization {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  created_at: string;
}

export interface Member {
  org_id: string;
  user_id: string;
  role: string;
  created_at: string;
}

export interface ConsoleSession {
  operator: string;
  tenant_id: string;
  csrf_token: string;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  disabled: boolean;
  disabled_reason: string | null;
  created_at: string;
}

export interface WebhookDelivery {
  id: string;
  event_id: string;
  event_type: string;
  status: "pending" | "succeeded" | "failed";
  attempt_count: number;
  next_attempt_at: string | null;
  created_at: string;
  attempts: { id: string; attempted_at: string; status_code: number | null; succeeded: boolean; error: string | null }[];
}
