export { HelloJohn, isHelloJohnClient } from "./hellojohn.js";
export { HELLOJOHN_OPTION_NAMES, type FetchLike, type HelloJohnOptions } from "./core/client-options.js";
export { assertKnownOptions } from "./core/known-options.js";
export { responseOf, type ResponseInfo } from "./core/response-info.js";
export type { Logger, LogLevel } from "./core/logger.js";
export type { RequestOptions } from "./core/request-options.js";
export { PagePromise, type CountedPage, type ListPage, type Page, type ToArrayOptions } from "./core/page-promise.js";
export { VERSION } from "./core/http-client.js";
export {
  AbortError,
  APIError,
  AuthenticationError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  HelloJohnError,
  isHelloJohnError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  TokenVerificationError,
  ValidationError,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
  type HelloJohnErrorFields,
  type TokenVerificationErrorCode,
} from "./core/errors.js";
export { Users } from "./resources/users/users.js";
export type {
  AuditEvent,
  CreateUserParams,
  DeletedUser,
  Duration,
  ImpersonateParams,
  ImpersonationResult,
  ListUsersParams,
  MetadataValue,
  UpdateUserParams,
  UserProfileParams,
  User,
  UserExport,
  UserMembership,
  UserMfaFactor,
  UserOAuthConnection,
  UserSession,
  UserSessionsPage,
  ListUserSessionsParams,
  UsersPage,
} from "./resources/users/users.interface.js";
export type { ImportUserParams, ImportUserResult, ImportUsersParams, ImportUsersResult } from "./resources/users/users-import.interface.js";
export { Sessions } from "./resources/sessions/sessions.js";
export type { RefreshParams, SessionStatus, SessionTokens, SignInResult, SignInWithPasswordParams, SignOutResult } from "./resources/sessions/sessions.interface.js";
export { Organizations } from "./resources/organizations/organizations.js";
export type {
  AddMemberParams,
  CreateOrganizationParams,
  DeletedObject,
  ListOrganizationsParams,
  Membership,
  MembershipsPage,
  Organization,
  OrganizationsPage,
  UpdateMemberParams,
  UpdateOrganizationParams,
} from "./resources/organizations/organizations.interface.js";
export type { CheckAuthorizationParams, Impersonator, VerifiedToken, VerifyTokenOptions } from "./tokens/verify-token.interface.js";
export { checkTokenParties, type TokenPartiesOptions } from "./tokens/token-parties.js";
export {
  authenticateRequest,
  authenticateRequestCallback,
  authenticateToken,
  tokenFromHeaders,
  unauthorizedBody,
  type AuthenticateRequestOptions,
  type IncomingHeaders,
  type RequestAuthentication,
} from "./adapters/authenticate-request.js";
export { errorResponse, type ErrorResponse, type ErrorResponseOptions } from "./adapters/error-response.js";
export { RoleRequirement, type InsufficientRoleBody } from "./adapters/role-requirement.js";
export { AuthRequirement, type AuthRefusal, type RequireAuthOptions } from "./adapters/auth-requirement.js";
export { resolveAdapterOptions, type AdapterOptionNames, type AdapterOptions, type ResolvedAdapterOptions } from "./adapters/adapter-options.js";
export { RequestState, type HelloJohnRequestState } from "./adapters/request-state.js";
export { Events } from "./resources/events/events.js";
export type { EventsPage, EventType, HelloJohnEvent, ListEventsParams, RemovedMembership, SessionEventData } from "./resources/events/events.interface.js";
export { Webhooks } from "./resources/webhooks/webhooks.js";
export { WebhookEndpoints } from "./resources/webhooks/webhook-endpoints.js";
export { WebhookVerifier, type WebhookHeaders, type WebhookPayload, type WebhookVerifierOptions } from "./resources/webhooks/webhook-verifier.js";
export type {
  CreateWebhookEndpointParams,
  ListWebhooksParams,
  UpdateWebhookEndpointParams,
  WebhookAttempt,
  WebhookDeliveriesPage,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointsPage,
  WebhookEndpointWithSecret,
} from "./resources/webhooks/webhooks.interface.js";
export { checkWebhookOptions, receiveWebhook, type ReceiveWebhookOptions, type WebhookAnswer } from "./adapters/receive-webhook.js";
