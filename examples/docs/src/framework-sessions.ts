import type { TestServer } from "@hellojohn/server/testing";

/** Real access tokens, from real sign-ins on a test server, for the framework READMEs' apps. */
export interface ReadmeSessions {
  /** Jane, signed in without an organization. */
  jane: { userId: string; sessionId: string; token: string };
  /** Max's user ID (his sessions are opened by the tests that need them). */
  maxId: string;
  /** Jane in Acme, where she is an `admin`. */
  janeAsAdmin: string;
  /** Max in Acme, where he is a `member`. */
  maxAsMember: string;
  acmeId: string;
  /** The token of a user deleted since: it verifies, but the user is gone (404). */
  deletedUser: string;
  /** Jane's token for the audience and authorized party the READMEs require. */
  forOrdersApi: string;
  /** Jane's token for the README's audience, issued to another origin. */
  fromOtherOrigin: string;
}

/** The password of every user {@link signInReadmeUsers} creates. */
export const PASSWORD = "TemporaryPass123!";
/** The audience the READMEs' `/api/orders` examples require. */
export const ORDERS_AUDIENCE = "https://api.example.com";
/** The authorized party (`azp`) the READMEs' `/api/orders` examples admit. */
export const ORDERS_PARTY = "https://app.example.com";

/** Creates the users, organization and sessions the READMEs' apps are exercised with. */
export async function signInReadmeUsers(hj: TestServer): Promise<ReadmeSessions> {
  const { client } = hj;
  const jane = await client.users.create({ email: "jane@example.com", password: PASSWORD });
  const max = await client.users.create({ email: "max@example.com", password: PASSWORD });
  const acme = await client.organizations.create({ name: "Acme" });
  await client.organizations.addMember(acme.id, { userId: jane.id, role: "admin" });
  await client.organizations.addMember(acme.id, { userId: max.id, role: "member" });
  const signIn = (email: string, more: { organizationId?: string; audience?: string; authorizedParty?: string } = {}) =>
    client.sessions.signInWithPassword({ email, password: PASSWORD, ...more });

  const plain = await signIn("jane@example.com");
  const gone = await client.users.create({ email: "gone@example.com", password: PASSWORD });
  const deletedUser = (await signIn("gone@example.com")).accessToken;
  await client.users.delete(gone.id);
  return {
    jane: { userId: jane.id, sessionId: plain.sessionId, token: plain.accessToken },
    maxId: max.id,
    janeAsAdmin: (await signIn("jane@example.com", { organizationId: acme.id })).accessToken,
    maxAsMember: (await signIn("max@example.com", { organizationId: acme.id })).accessToken,
    acmeId: acme.id,
    deletedUser,
    forOrdersApi: (await signIn("jane@example.com", { audience: ORDERS_AUDIENCE, authorizedParty: ORDERS_PARTY })).accessToken,
    fromOtherOrigin: (await signIn("jane@example.com", { audience: ORDERS_AUDIENCE, authorizedParty: "https://evil.example.com" })).accessToken,
  };
}

/** `fetch` of `url` with the token as a bearer, answering status and parsed JSON body (or text). */
export async function call(url: string, token?: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body };
}
