import { useEffect, useState } from "preact/hooks";
import { api, download, type Session, type User, type UserDetail } from "../api.js";
import { Notice, PageTitle, TableScroll } from "../components.js";
import { fullName, sessionStatus, when } from "../format.js";
import { mergePatch } from "../merge-patch.js";
import { href } from "../router.js";

type Preview = { ok: true; patch: Record<string, unknown>; result: unknown } | { ok: false; message: string } | null;

function preview(current: Record<string, unknown>, text: string): Preview {
  if (text.trim() === "") return null;
  try {
    const patch = JSON.parse(text) as unknown;
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return { ok: false, message: "A metadata patch is a JSON object" };
    return { ok: true, patch: patch as Record<string, unknown>, result: mergePatch(current, patch) };
  } catch (error) {
    return { ok: false, message: `Not JSON: ${(error as Error).message}` };
  }
}

/** One user: profile, metadata editor, actions, sessions, memberships and audit timeline. */
export function UserPage({ id }: { id: string }) {
  const [detail, setDetail] = useState<UserDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [deleted, setDeleted] = useState(false);

  const load = async (): Promise<void> => {
    try {
      setDetail(await api<UserDetail>("GET", `/users/${encodeURIComponent(id)}`));
      setError(null);
    } catch (reason) {
      setError((reason as Error).message);
    }
  };
  useEffect(() => void load(), [id]);

  /** Runs an action, shows its outcome, and reloads the page's data (unless the user is gone). */
  const act = async (work: () => Promise<string>, reload = true): Promise<void> => {
    setMessage(null);
    try {
      const done = await work();
      setError(null);
      setMessage(done);
    } catch (reason) {
      setError((reason as Error).message);
    }
    if (reload) await load();
  };

  if (deleted) {
    return (
      <section>
        <PageTitle>User deleted</PageTitle>
        <Notice kind="ok">{message}</Notice>
        <p>
          <a href={href.users}>Back to users</a>
        </p>
      </section>
    );
  }
  if (detail === null) {
    return (
      <section>
        <PageTitle>User</PageTitle>
        {error !== null ? <Notice kind="error">{error}</Notice> : <p>Loading…</p>}
      </section>
    );
  }
  const { user } = detail;
  return (
    <section>
      <p class="crumbs">
        <a href={href.users}>Users</a> / {user.id}
      </p>
      <PageTitle>{user.email}</PageTitle>
      {error !== null && <Notice kind="error">{error}</Notice>}
      {message !== null && <Notice kind="ok">{message}</Notice>}
      <Profile user={user} />
      <Actions user={user} act={act} onDeleted={(text) => (setDeleted(true), setMessage(text))} />
      <MetadataEditor user={user} act={act} />
      <Sessions userId={user.id} sessions={detail.sessions} act={act} />
      <section aria-labelledby="memberships-heading">
        <h2 id="memberships-heading">Memberships</h2>
        {detail.memberships.length === 0 ? (
          <p>No organization.</p>
        ) : (
          <ul>
            {detail.memberships.map((m) => (
              <li key={m.org_id}>
                <a href={href.organization(m.org_id)}>{m.org_name}</a> ({m.role}) since {when(m.created_at)}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="audit-heading">
        <h2 id="audit-heading">Audit timeline</h2>
        <ol class="timeline" data-testid="audit-timeline">
          {detail.audit_events.map((event) => (
            <li key={event.id}>
              <time dateTime={event.created_at}>{when(event.created_at)}</time> <strong>{event.type}</strong> by {event.actor.type}
              {event.actor.id !== null ? ` ${event.actor.id}` : ""}
            </li>
          ))}
        </ol>
      </section>
    </section>
  );
}

function Profile({ user }: { user: User }) {
  return (
    <section aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <dl class="profile">
        <dt>User ID</dt>
        <dd>
          <code>{user.id}</code>
        </dd>
        <dt>Name</dt>
        <dd>{fullName(user) || "—"}</dd>
        <dt>Email verified</dt>
        <dd>{user.email_verified ? "Yes" : "No"}</dd>
        <dt>Phone</dt>
        <dd>{user.phone_number ?? "—"}</dd>
        <dt>Status</dt>
        <dd data-testid="user-status">{user.disabled ? "Disabled" : "Active"}</dd>
        <dt>Created</dt>
        <dd>{when(user.created_at)}</dd>
        <dt>Last sign-in</dt>
        <dd>{when(user.last_sign_in_at)}</dd>
      </dl>
    </section>
  );
}

type Act = (work: () => Promise<string>, reload?: boolean) => Promise<void>;

function MetadataEditor({ user, act }: { user: User; act: Act }) {
  const [text, setText] = useState("");
  const result = preview(user.metadata, text);
  return (
    <section aria-labelledby="metadata-heading">
      <h2 id="metadata-heading">Metadata</h2>
      <pre class="json" data-testid="metadata-current" tabIndex={0} aria-label="Current metadata">
        {JSON.stringify(user.metadata, null, 2)}
      </pre>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (result === null || !result.ok) return;
          void act(async () => {
            await api<User>("PATCH", `/users/${encodeURIComponent(user.id)}`, { metadata: result.patch });
            setText("");
            return "Metadata saved";
          });
        }}
      >
        <label for="metadata-patch">Merge patch (JSON; null removes a key)</label>
        <textarea id="metadata-patch" rows={5} spellcheck={false} value={text} onInput={(event) => setText(event.currentTarget.value)} />
        {result !== null && !result.ok && <p class="field-error">{result.message}</p>}
        {result?.ok && (
          <>
            <h3>Preview</h3>
            <pre class="json" data-testid="metadata-preview" tabIndex={0} aria-label="Metadata after the patch">
              {JSON.stringify(result.result, null, 2)}
            </pre>
          </>
        )}
        <button type="submit" disabled={result === null || !result.ok}>
          Save metadata
        </button>
      </form>
    </section>
  );
}

function Actions({ user, act, onDeleted }: { user: User; act: Act; onDeleted: (message: string) => void }) {
  const [reason, setReason] = useState("");
  const [expiresIn, setExpiresIn] = useState("900");
  const [impersonation, setImpersonation] = useState<{ access_token: string; expires_at: string } | null>(null);
  const [confirmation, setConfirmation] = useState("");
  const path = `/users/${encodeURIComponent(user.id)}`;
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      <div class="actions">
        {user.disabled ? (
          <button type="button" onClick={() => void act(async () => (await api<User>("POST", `${path}/enable`, {}), "User enabled"))}>
            Enable user
          </button>
        ) : (
          <button type="button" class="danger" onClick={() => void act(async () => (await api<User>("POST", `${path}/disable`, {}), "User disabled; their sessions are revoked"))}>
            Disable user
          </button>
        )}
        <button type="button" onClick={() => void act(async () => (await download(`${path}/export`, `${user.id}.json`), "Export downloaded"))}>
          Export as JSON
        </button>
      </div>
      <form
        class="card"
        onSubmit={(event) => {
          event.preventDefault();
          void act(async () => {
            const result = await api<{ access_token: string; expires_at: string }>("POST", `${path}/impersonate`, { reason, expires_in: Number(expiresIn) });
            setImpersonation(result);
            setReason("");
            return "Impersonation session created";
          });
        }}
      >
        <h3>Impersonate</h3>
        <label for="impersonate-reason">Reason (recorded in the audit log)</label>
        <input id="impersonate-reason" required maxLength={500} value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
        <label for="impersonate-expiry">Expires after</label>
        <select id="impersonate-expiry" value={expiresIn} onChange={(event) => setExpiresIn(event.currentTarget.value)}>
          <option value="300">5 minutes</option>
          <option value="900">15 minutes</option>
          <option value="3600">1 hour</option>
        </select>
        <button type="submit" disabled={reason.trim() === ""}>
          Impersonate
        </button>
        {impersonation !== null && (
          <>
            <label for="impersonation-token">Access token (expires {when(impersonation.expires_at)})</label>
            <textarea id="impersonation-token" readOnly rows={3} value={impersonation.access_token} />
          </>
        )}
      </form>
      <form
        class="card danger-zone"
        onSubmit={(event) => {
          event.preventDefault();
          if (confirmation !== user.email) return;
          void act(async () => {
            await api<{ deleted: true }>("DELETE", path);
            onDeleted(`${user.email} and everything about them were deleted`);
            return `${user.email} and everything about them were deleted`;
          }, false);
        }}
      >
        <h3>Delete</h3>
        <label for="delete-confirmation">
          Type <strong>{user.email}</strong> to delete this user and everything about them
        </label>
        <input id="delete-confirmation" autoComplete="off" value={confirmation} onInput={(event) => setConfirmation(event.currentTarget.value)} />
        <button type="submit" class="danger" disabled={confirmation !== user.email}>
          Delete user
        </button>
      </form>
    </section>
  );
}

function Sessions({ userId, sessions, act }: { userId: string; sessions: Session[]; act: Act }) {
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      {sessions.length === 0 ? (
        <p>No sessions.</p>
      ) : (
        <TableScroll label="Sessions">
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">Impersonated by</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((session) => {
                const status = sessionStatus(session);
                return (
                  <tr key={session.id}>
                    <td>
                      <code>{session.id}</code>
                    </td>
                    <td>{when(session.created_at)}</td>
                    <td>{when(session.expires_at)}</td>
                    <td>{status}</td>
                    <td>{session.impersonator === null ? "—" : `${session.impersonator.actor_id}: ${session.impersonator.reason}`}</td>
                    <td>
                      {status === "active" && (
                        <button
                          type="button"
                          aria-label={`Revoke session ${session.id}`}
                          onClick={() =>
                            void act(
                              async () => (
                                await api<Session>("POST", `/users/${encodeURIComponent(userId)}/sessions/${encodeURIComponent(session.id)}/revoke`, {}), "Session revoked"
                              ),
                            )
                          }
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
