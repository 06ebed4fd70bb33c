import type { HttpClient } from "../../core/http-client.js";
import { PagePromise } from "../../core/page-promise.js";
import { pathId } from "../../core/path.js";
import type { RequestOptions } from "../../core/request-options.js";
import type { DeletedObject } from "../organizations/organizations.interface.js";
import {
  deserializeDeliveriesPage,
  deserializeDelivery,
  deserializeEndpoint,
  deserializeEndpointsPage,
  deserializeEndpointWithSecret,
  type WireList,
  type WireWebhookDelivery,
  type WireWebhookEndpoint,
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
    const body = { url: params?.url, events: params?.events, description: params?.description };
    return deserializeEndpointWithSecret(await this.#http.request<WireWebhookEndpoint>({ method: "POST", path: "/v1/webhooks/endpoints", body }, options));
  }

  /** Lists endpoints, newest first; await for a page or iterate for all. */
  list(params: ListWebhooksParams = {}, options?: RequestOptions): PagePromise<WebhookEndpointsPage, WebhookEndpoint> {
    const fetchPage = async (cursor: string | undefined): Promise<WebhookEndpointsPage> =>
      deserializeEndpointsPage(
        await this.#http.request<WireList<WireWebhookEndpoint>>({ method: "GET", path: "/v1/webhooks/endpoints", query: { limit: params.limit, cursor } }, options),
      );
    return new PagePromise(fetchPage, (page) => page.endpoints, params.cursor);
  }

  /** Fetches an endpoint (without its secret). */
  async get(endpointId: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}`;
    return deserializeEndpoint(await this.#http.request<WireWebhookEndpoint>({ method: "GET", path }, options));
  }

  /** Changes URL, event types or description; `{ disabled: false }` re-enables a disabled endpoint. */
  async update(endpointId: string, params: UpdateWebhookEndpointParams, options?: RequestOptions): Promise<WebhookEndpoint> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}`;
    const body = { url: params?.url, events: params?.events, description: params?.description, disabled: params?.disabled };
    return deserializeEndpoint(await this.#http.request<WireWebhookEndpoint>({ method: "PATCH", path, body }, options));
  }

  /** Deletes an endpoint and its delivery history. */
  async delete(endpointId: string, options?: RequestOptions): Promise<DeletedObject> {
    return this.#http.request<DeletedObject>({ method: "DELETE", path: `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}` }, options);
  }

  /** A new signing secret, shown only now; for 24 hours deliveries carry signatures by both the old and the new one. */
  async rotateSecret(endpointId: string, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}/rotate-secret`;
    return deserializeEndpointWithSecret(await this.#http.request<WireWebhookEndpoint>({ method: "POST", path }, options));
  }

  /** The endpoint's deliveries, newest first, each with every attempt (status, latency, response excerpt). */
  listDeliveries(endpointId: string, params: ListWebhooksParams = {}, options?: RequestOptions): PagePromise<WebhookDeliveriesPage, WebhookDelivery> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}/deliveries`;
    const fetchPage = async (cursor: string | undefined): Promise<WebhookDeliveriesPage> =>
      deserializeDeliveriesPage(await this.#http.request<WireList<WireWebhookDelivery>>({ method: "GET", path, query: { limit: params.limit, cursor } }, options));
    return new PagePromise(fetchPage, (page) => page.deliveries, params.cursor);
  }

  /** Sends a delivery again now, with a fresh retry schedule. */
  async resendDelivery(endpointId: string, deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    const path = `/v1/webhooks/endpoints/${pathId(endpointId, "endpointId")}/deliveries/${pathId(deliveryId, "deliveryId")}/resend`;
    return deserializeDelivery(await this.#http.request<WireWebhookDelivery>({ method: "POST", path }, options));
  }
}
