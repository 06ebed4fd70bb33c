import type { HttpClient } from "../../core/http-client.js";
import { PagePromise } from "../../core/page-promise.js";
import type { RequestOptions } from "../../core/request-options.js";
import { deserializeEventsPage, serializeListEventsQuery } from "./event.serializer.js";
import type { EventsPage, HelloJohnEvent, ListEventsParams } from "./events.interface.js";

/**
 * `hj.events`: the tenant's feed of changes, oldest first in commit order.
 * Every change the API makes is in it exactly when the change committed;
 * events are kept for the server's retention period (30 days by default).
 *
 * @example
 * ```ts
 * let after = loadCheckpoint();
 * for await (const event of hj.events.list({ after, types: ["user.created", "user.deleted"] })) {
 *   await apply(event);
 *   saveCheckpoint((after = event.id));
 * }
 * ```
 */
export class Events {
  readonly #http: HttpClient;

  /** @internal */
  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** Events after `after` (or from the oldest kept); await for a page or iterate for all. */
  list(params: ListEventsParams = {}, options?: RequestOptions): PagePromise<EventsPage, HelloJohnEvent> {
    const fetchPage = async (after: string | undefined): Promise<EventsPage> =>
      this.#http.request({ method: "GET", path: "/v1/events", query: serializeListEventsQuery(params, after) }, options, deserializeEventsPage);
    return new PagePromise(fetchPage, (page) => page.events, params.after);
  }
}
