/**
 * A guided tour of every users operation of @hellojohn/node, against a real
 * HelloJohn server embedded in this process (SQLite in memory).
 *
 *   pnpm start            # from the repository root
 */
import { HelloJohn, isHelloJohnError } from "@hellojohn/node";
import { createServer, MasterKey } from "@hellojohn/server";

const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
let stepNumber = 0;
function step(title: string, detail?: unknown): void {
  stepNumber += 1;
  console.log(`\n${bold(`${String(stepNumber).padStart(2, " ")}. ${title}`)}`);
  if (detail !== undefined) console.log(typeof detail === "string" ? `    ${detail}` : detail);
}

async function signIn(apiUrl: string, tenantId: string, email: string, password: string) {
  const response = await fetch(`${apiUrl}/v1/tenants/${tenantId}/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function main(): Promise<void> {
  // 1. The embedded server: a real HelloJohn API with SQLite, on a free port.
  const server = await createServer({ databaseUrl: "sqlite::memory:", masterKey: MasterKey.generate() });
  const apiUrl = await server.listen({ port: 0 });
  const tenant = await server.tenants.createTenant("Tour");
  const { secretKey } = await server.tenants.createApiKey(tenant.id, "tour");
  console.log(`HelloJohn server running at ${apiUrl} (tenant ${tenant.id})`);

  try {
    const hj = new HelloJohn({ tenantId: tenant.id, secretKey, baseUrl: apiUrl });
    step("new HelloJohn({ tenantId, secretKey }): the secret never shows", hj);

    const jane = await hj.users.create({
      email: "jane@example.com",
      password: "TemporaryPass123!",
      firstName: "Jane",
      lastName: "Doe",
      emailVerified: true,
      metadata: { plan: "pro", source: "import" },
    });
    step("users.create", jane);
    await hj.users.create({ email: "john@example.com", firstName: "John", lastName: "Smith" });
    await hj.users.create({ email: "ada@lovelace.dev", firstName: "Ada", lastName: "Lovelace" });

    step("users.get(id)", `${(await hj.users.get(jane.id)).email}, created ${jane.createdAt.toISOString()}`);
    step("users.getByEmail (case-insensitive)", (await hj.users.getByEmail("JANE@example.com")).id);

    const updated = await hj.users.update(jane.id, {
      lastName: "Smith",
      metadata: { plan: "enterprise", featureFlags: { newDashboard: true }, source: null },
    });
    step("users.update: metadata is merged, null removes a key", { lastName: updated.lastName, metadata: updated.metadata });

    const page = await hj.users.list({ limit: 2 });
    step("users.list({ limit: 2 })", { users: page.users.map((u) => u.email), nextCursor: page.nextCursor, total: page.total });
    const emails: string[] = [];
    for await (const user of hj.users.list({ limit: 2 })) emails.push(user.email);
    step("for await (const user of users.list()): every page", emails);
    step(
      'users.list({ search: "smith" })',
      (await hj.users.list({ search: "smith" })).users.map((u) => `${u.firstName} ${u.lastName}`),
    );

    const org = await hj.organizations.create({ name: "Acme" });
    await hj.organizations.addMember(org.id, { userId: jane.id, role: "admin" });
    step(
      "users.list({ orgId }) after organizations.addMember",
      (await hj.users.list({ orgId: org.id })).users.map((u) => u.email),
    );

    const session = await signIn(apiUrl, tenant.id, "jane@example.com", "TemporaryPass123!");
    const verified = await hj.verifyToken(session.body.access_token, { checkRevoked: true });
    step("Jane signs in; hj.verifyToken(accessToken)", { userId: verified.userId, sessionId: verified.sessionId, expiresAt: verified.expiresAt });

    const impersonation = await hj.users.impersonate(jane.id, { reason: "Support ticket #4521", expiresIn: "15m" });
    const asJane = await hj.verifyToken(impersonation.accessToken);
    step("users.impersonate: an audited session acting as Jane", { sessionId: impersonation.sessionId, expiresAt: impersonation.expiresAt, impersonator: asJane.impersonator });

    await hj.users.disable(jane.id);
    const refused = await signIn(apiUrl, tenant.id, "jane@example.com", "TemporaryPass123!");
    const revoked = await hj.verifyToken(session.body.access_token, { checkRevoked: true }).catch((e: unknown) => e);
    step("users.disable: sign-in refused, sessions revoked", {
      signIn: `${refused.status} ${refused.body.error.code}`,
      verifyToken: isHelloJohnError(revoked) ? revoked.code : "still valid?!",
    });

    await hj.users.enable(jane.id);
    step("users.enable: Jane can sign in again", `sign-in answers ${(await signIn(apiUrl, tenant.id, "jane@example.com", "TemporaryPass123!")).status}`);

    const inOrg = await hj.sessions.signInWithPassword({ email: "jane@example.com", password: "TemporaryPass123!", organizationId: org.id });
    const asAdmin = await hj.verifyToken(inOrg.accessToken);
    await hj.organizations.updateMember(org.id, jane.id, { role: "member" });
    const asMember = await hj.verifyToken((await hj.sessions.refresh(inOrg.refreshToken)).accessToken);
    step("Sign-in with organizationId; organizations.updateMember shows at the next refresh", {
      before: { orgId: asAdmin.orgId, orgRole: asAdmin.orgRole, admin: asAdmin.has({ role: "admin" }) },
      afterRefresh: { orgRole: asMember.orgRole, admin: asMember.has({ role: "admin" }) },
    });

    const { sessions, total } = await hj.users.listSessions(jane.id, { limit: 3 });
    step("users.listSessions: newest first, iterable like users.list", { total, firstPage: sessions.map((s) => `${s.id} ${s.status}`) });
    const revokedOne = await hj.users.revokeSession(jane.id, inOrg.sessionId);
    step("users.revokeSession: one session and its refresh tokens", { id: revokedOne.id, status: revokedOne.status });
    await hj.users.update(jane.id, { password: "N3w-Passw0rd!" });
    const active = (await hj.users.listSessions(jane.id).toArray()).filter((s) => s.status === "active").length;
    const oldPassword = await signIn(apiUrl, tenant.id, "jane@example.com", "TemporaryPass123!");
    step("users.update({ password }): every session revoked, the old password refused", { activeSessions: active, oldPassword: oldPassword.status });

    const exported = await hj.users.export(jane.id);
    step("users.export (GDPR)", {
      user: exported.user.email,
      sessions: exported.sessions.length,
      memberships: exported.memberships.map((m) => m.orgName),
      auditEvents: exported.auditEvents.map((e) => e.type),
    });

    step("users.delete", await hj.users.delete(jane.id));
    const gone = await hj.users.get(jane.id).catch((e: unknown) => e);
    step("users.get after delete", isHelloJohnError(gone) ? `${gone.name} ${gone.status} ${gone.code}` : gone);

    const invalid = await hj.users.create({ email: "not-an-email" }).catch((e: unknown) => e);
    step("Typed errors name what was wrong", isHelloJohnError(invalid) ? { name: invalid.name, code: invalid.code, param: invalid.param, requestId: invalid.requestId } : invalid);

    console.log(`\n${bold("Every users operation worked.")}`);
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
