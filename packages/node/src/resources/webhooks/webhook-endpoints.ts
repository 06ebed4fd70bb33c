import type { HttpClient } from "../../core/http-client.js";
import { PagePromise } from "../../core/page-promise.js";
import { deserializeDeleted } from "../../core/wire.js";
import { pathId } from "../../core/path.js";
import type { RequestOptions } from "../../core/request-options.js";
import type { DeletedObject } from "../organizations/organizations.interface.js";
import {
  deserializeDeliveriesPage,
  deserializeDelivery,
  deserializeEndpoint,
  deserializeEndpointsPage,
  deserializeEndpointWithSecret,
  serializeCreateEndpoint,
  serializeUpdateEndpoint,
} from "./webhook.serializer.js";
import type {
  CreateWebhookEndpointParams,
  ListWebhooksParams,
  UpdateWebhookEndpointParams,
  WebhookDeliveriesPage,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointsPage,
  WebhookEndpointWithSecret,
} from "./webhooks.interface.js";

/**
 * `hj.webhooks.endpoints`: where HelloJohn POSTs events, their deliveries and re-sends.
 * @example
 * ```ts
 * const endpoint = await hj.webhooks.endpoints.create({ url: "https://app.example.com/webhooks/hellojohn", events: ["user.created", "user.deleted"] });
 * saveSecret(endpoint.secret); // shown only now
 * ```
 */
export class WebhookEndpoints {
  readonly #http: HttpClient;

  /** @internal */
  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** Creates an endpoint; the result carries its signing `secret`, which no other call returns. */
  async create(params: CreateWebhookEndpointParams, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    const body = serializeCreateEndpoint(params);
    return this.#http.request({ method: "POST", path: "/v1/webhooks/endpoints", body }, options, deserializeEndpointWithSecret);
  }

  /** Lists endpoints, newest first; await for a page or iterate for all. */
  list(params: ListWebhooksParams = {}, options?: RequestOptions): PagePromise<WebhookEndpointsPage, WebhookEndpoint> {
    const fetchPage = async (cursor: string | undefined): Promise<WebhookEndpointsPage> =>
      this.#http.request({ method: "GET", path: "/v1/webhooks/endpoints", query: { limit: params.limit, cursor } }, options, deserializeEndpointsPage);
    return new PagePromise(fetchPage, (page) => page.endpoints, params.cursor);
  }

  /** Fetches an endpoint (without its secret). */
  async get(endpointId: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}`;
    return this.#http.request({ method: "GET", path }, options, deserializeEndpoint);
  }

  /** Changes URL, event types or description; `{ disabled: false }` re-enables a disabled endpoint. */
  async update(endpointId: string, params: UpdateWebhookEndpointParams, options?: RequestOptions): Promise<WebhookEndpoint> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}`;
    const body = serializeUpdateEndpoint(params);
    return this.#http.request({ method: "PATCH", path, body }, options, deserializeEndpoint);
  }

  /** Deletes an endpoint and its delivery history. */
  async delete(endpointId: string, options?: RequestOptions): Promise<DeletedObject> {
    return this.#http.request({ method: "DELETE", path: `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}` }, options, deserializeDeleted);
  }

  /** A new signing secret, shown only now; for 24 hours deliveries carry signatures by both the old and the new one. */
  async rotateSecret(endpointId: string, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}/rotate-secret`;
    return this.#http.request({ method: "POST", path }, options, deserializeEndpointWithSecret);
  }

  /** The endpoint's deliveries, newest first, each with every attempt (status, latency, response excerpt). */
  listDeliveries(endpointId: string, params: ListWebhooksParams = {}, options?: RequestOptions): PagePromise<WebhookDeliveriesPage, WebhookDelivery> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}/deliveries`;
    const fetchPage = async (cursor: string | undefined): Promise<WebhookDeliveriesPage> =>
      this.#http.request({ method: "GET", path, query: { limit: params.limit, cursor } }, options, deserializeDeliveriesPage);
    return new PagePromise(fetchPage, (page) => page.deliveries, params.cursor);
  }

  /** Sends a delivery again now, with a fresh retry schedule. */
  async resendDelivery(endpointId: string, deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}/deliveries/${pathId(deliveryId, "deliveryId")}/resend`;
    return this.#http.request({ method: "POST", path }, options, deserializeDelivery);
  }
}
