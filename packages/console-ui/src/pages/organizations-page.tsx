import { useEffect, useState } from "preact/hooks";
import { api, query, type Member, type Organization, type Page } from "../api.js";
import { Notice, PageTitle, TableScroll } from "../components.js";
import { when } from "../format.js";
import { href } from "../router.js";

/** Organizations, newest first, with keyset paging. */
export function OrganizationsPage() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [page, setPage] = useState<Page<Organization> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Page<Organization>>("GET", `/organizations${query({ cursor, limit: 25 })}`).then(setPage, (reason: unknown) => setError((reason as Error).message));
  }, [cursor]);
  return (
    <section>
      <PageTitle>Organizations</PageTitle>
      {error !== null && <Notice kind="error">{error}</Notice>}
      <p class="total">{page === null ? "Loading…" : `${page.total.toLocaleString("en-US")} ${page.total === 1 ? "organization" : "organizations"}`}</p>
      {page !== null && (
        <TableScroll label="Organizations">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ID</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((org) => (
                <tr key={org.id}>
                  <td>
                    <a href={href.organization(org.id)}>{org.name}</a>
                  </td>
                  <td>
                    <code>{org.id}</code>
                  </td>
                  <td>{when(org.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <nav class="pager" aria-label="Pages of organizations">
        <button type="button" disabled={cursors.length === 0} onClick={() => (setCursor(cursors[cursors.length - 1]), setCursors(cursors.slice(0, -1)))}>
          Previous page
        </button>
        <button type="button" disabled={page?.next_cursor == null} onClick={() => (setCursors([...cursors, cursor]), setCursor(page?.next_cursor ?? undefined))}>
          Next page
        </button>
      </nav>
    </section>
  );
}

/** One organization and its members. */
export function OrganizationPage({ id }: { id: string }) {
  const [data, setData] = useState<{ organization: Organization; members: Page<Member> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ organization: Organization; members: Page<Member> }>("GET", `/organizations/${encodeURIComponent(id)}${query({ limit: 100 })}`).then(setData, (reason: unknown) =>
      setError((reason as Error).message),
    );
  }, [id]);
  if (data === null) {
    return (
      <section>
        <PageTitle>Organization</PageTitle>
        {error !== null ? <Notice kind="error">{error}</Notice> : <p>Loading…</p>}
      </section>
    );
  }
  return (
    <section>
      <p class="crumbs">
        <a href={href.organizations}>Organizations</a> / {data.organization.id}
      </p>
      <PageTitle>{data.organization.name}</PageTitle>
      <h2>Metadata</h2>
      <pre class="json" tabIndex={0} aria-label="Organization metadata">
        {JSON.stringify(data.organization.metadata, null, 2)}
      </pre>
      <h2>Members ({data.members.total.toLocaleString("en-US")})</h2>
      <TableScroll label="Members">
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {data.members.data.map((member) => (
              <tr key={member.user_id}>
                <td>
                  <a href={href.user(member.user_id)}>{member.user_id}</a>
                </td>
                <td>{member.role}</td>
                <td>{when(member.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
