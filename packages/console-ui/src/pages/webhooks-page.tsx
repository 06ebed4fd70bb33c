import { useEffect, useState } from "preact/hooks";
import { api, query, type Page, type WebhookDelivery, type WebhookEndpoint } from "../api.js";
import { Notice, PageTitle, TableScroll } from "../components.js";
import { when } from "../format.js";
import { href } from "../router.js";

/** Webhook endpoints (read-only: they are managed through the API). */
export function WebhooksPage() {
  const [page, setPage] = useState<Page<WebhookEndpoint> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Page<WebhookEndpoint>>("GET", `/webhooks${query({ limit: 100 })}`).then(setPage, (reason: unknown) => setError((reason as Error).message));
  }, []);
  return (
    <section>
      <PageTitle>Webhooks</PageTitle>
      {error !== null && <Notice kind="error">{error}</Notice>}
      {page !== null && page.data.length === 0 && <p>No endpoints. Create them with the API (`hj.webhooks.endpoints.create`).</p>}
      {page !== null && page.data.length > 0 && (
        <TableScroll label="Webhook endpoints">
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((endpoint) => (
                <tr key={endpoint.id}>
                  <td>
                    <a href={href.webhook(endpoint.id)}>{endpoint.url}</a>
                    {endpoint.description !== null && <div class="crumbs">{endpoint.description}</div>}
                  </td>
                  <td>{endpoint.events.join(", ")}</td>
                  <td>{endpoint.disabled ? `Disabled${endpoint.disabled_reason === null ? "" : `: ${endpoint.disabled_reason}`}` : "Enabled"}</td>
                  <td>{when(endpoint.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

/** One endpoint's recent deliveries, newest first. */
export function WebhookPage({ id }: { id: string }) {
  const [page, setPage] = useState<Page<WebhookDelivery> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Page<WebhookDelivery>>("GET", `/webhooks/${encodeURIComponent(id)}/deliveries${query({ limit: 50 })}`).then(setPage, (reason: unknown) =>
      setError((reason as Error).message),
    );
  }, [id]);
  return (
    <section>
      <p class="crumbs">
        <a href={href.webhooks}>Webhooks</a> / {id}
      </p>
      <PageTitle>Recent deliveries</PageTitle>
      {error !== null && <Notice kind="error">{error}</Notice>}
      {page !== null && page.data.length === 0 && <p>No deliveries yet.</p>}
      {page !== null && page.data.length > 0 && (
        <TableScroll label="Deliveries">
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((delivery) => {
                const last = [...delivery.attempts].sort((a, b) => a.attempted_at.localeCompare(b.attempted_at)).pop();
                return (
                  <tr key={delivery.id}>
                    <td>{delivery.event_type}</td>
                    <td>{delivery.status}</td>
                    <td>{delivery.attempt_count}</td>
                    <td>{last === undefined ? "—" : last.status_code !== null ? `HTTP ${last.status_code}` : (last.error ?? "—")}</td>
                    <td>{when(delivery.created_at)}</td>
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
