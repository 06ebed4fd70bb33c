import { useEffect, useState } from "preact/hooks";
import { api, query, type Organization, type Page, type UncountedPage, type User } from "../api.js";
import { Notice, PageTitle, TableScroll } from "../components.js";
import { fullName, when } from "../format.js";
import { href } from "../router.js";

const PAGE_SIZE = 25;
/** Search starts at the third character: shorter needles cannot use the server's trigram index and would scan every user. */
const MIN_SEARCH = 3;

/**
 * Sends `request` after a short pause in typing. The returned cleanup (run by the next
 * keystroke's effect) cancels the wait, or aborts the request if it was sent.
 */
function afterTypingPause(request: (signal: AbortSignal) => Promise<void>, onError: (message: string) => void): () => void {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    request(controller.signal).catch((reason: unknown) => {
      if (!controller.signal.aborted) onError((reason as Error).message);
    });
  }, 120);
  return () => {
    clearTimeout(timer);
    controller.abort();
  };
}

/**
 * Users: search as you type, status and organization filters, exact total, keyset paging.
 * Each keystroke asks for the page and the total as two requests (and abandons both of
 * the keystroke before): the rows come back at once, the exact total when it is counted.
 */
export function UsersPage() {
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState("");
  const [orgId, setOrgId] = useState("");
  const [organizations, setOrganizations] = useState<Organization[]>([]);
  // The cursors of the pages before the current one, to go back without OFFSET.
  const [cursors, setCursors] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [page, setPage] = useState<UncountedPage<User> | null>(null);
  // The exact total of the current filters; null while it is being counted.
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const needle = search.trim().length >= MIN_SEARCH ? search.trim() : "";

  useEffect(() => {
    api<Page<Organization>>("GET", `/organizations${query({ limit: 100 })}`)
      .then((result) => setOrganizations(result.data))
      .catch(() => setOrganizations([]));
  }, []);

  useEffect(
    () =>
      afterTypingPause(async (signal) => {
        const result = await api<UncountedPage<User>>("GET", `/users${query({ search: needle, status, org_id: orgId, cursor, limit: PAGE_SIZE })}`, undefined, signal);
        setPage(result);
        setError(null);
      }, setError),
    [needle, status, orgId, cursor],
  );

  // The total depends on the filters only: paging does not count again.
  useEffect(() => {
    setTotal(null);
    return afterTypingPause(async (signal) => {
      const result = await api<{ total: number }>("GET", `/users/count${query({ search: needle, status, org_id: orgId })}`, undefined, signal);
      setTotal(result.total);
    }, setError);
  }, [needle, status, orgId]);

  const restart = (): void => {
    setCursors([]);
    setCursor(undefined);
  };

  return (
    <section>
      <PageTitle>Users</PageTitle>
      <form class="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            name="search"
            placeholder="Email, name or user ID"
            aria-describedby="search-hint"
            value={search}
            onInput={(event) => {
              const next = event.currentTarget.value;
              // Paging restarts only when the query really changes.
              if ((next.trim().length >= MIN_SEARCH ? next.trim() : "") !== needle) restart();
              setSearch(next);
            }}
          />
        </label>
        <label>
          Status
          <select
            name="status"
            value={status}
            onChange={(event) => {
              setStatus(event.currentTarget.value);
              restart();
            }}
          >
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </select>
        </label>
        <label>
          Organization
          <select
            name="org_id"
            value={orgId}
            onChange={(event) => {
              setOrgId(event.currentTarget.value);
              restart();
            }}
          >
            <option value="">Any</option>
            {organizations.map((org) => (
              <option key={org.id} value={org.id}>
                {org.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p id="search-hint" class="hint">
        Searches from the {MIN_SEARCH}rd character on, anywhere in the email or name, or an exact user ID.
      </p>
      {error !== null && <Notice kind="error">{error}</Notice>}
      <p class="total" aria-live="polite" aria-busy={total === null} data-testid="users-total">
        {total === null ? "Counting…" : `${total.toLocaleString("en-US")} ${total === 1 ? "user" : "users"}`}
      </p>
      {page !== null && (
        <TableScroll label="Users">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((user) => (
                <tr key={user.id}>
                  <td>
                    <a href={href.user(user.id)}>{user.email}</a>
                  </td>
                  <td>{fullName(user)}</td>
                  <td>
                    <span class={`badge ${user.disabled ? "badge-off" : "badge-on"}`}>{user.disabled ? "Disabled" : "Active"}</span>
                  </td>
                  <td>{when(user.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <nav class="pager" aria-label="Pages of users">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => {
            setCursor(cursors[cursors.length - 1]);
            setCursors(cursors.slice(0, -1));
          }}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={page?.next_cursor == null}
          onClick={() => {
            setCursors([...cursors, cursor]);
            setCursor(page?.next_cursor ?? undefined);
          }}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
