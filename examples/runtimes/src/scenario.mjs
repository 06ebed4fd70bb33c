// The job every runtime does with the built @hellojohn/node, against a real HelloJohn server.
// Plain JavaScript with only Web-standard globals, so that each runtime runs it as is.

/**
 * Creates a user, reads a list page, updates the user, signs in and verifies the
 * access token twice (first sight, then remembered), and shows a tampered token is refused.
 * @param {typeof import("@hellojohn/node").HelloJohn} HelloJohn
 * @param {{ tenantId: string, secretKey: string, baseUrl: string, email: string, password: string, runtime: string }} config
 */
export async function scenario(HelloJohn, config) {
  const hj = new HelloJohn({ tenantId: config.tenantId, secretKey: config.secretKey, baseUrl: config.baseUrl, maxRetries: 0 });
  const created = await hj.users.create({ email: config.email, password: config.password, firstName: "Ada", metadata: { runtime: config.runtime } });
  const page = await hj.users.list({ search: config.email, limit: 1 });
  const updated = await hj.users.update(created.id, { lastName: "Lovelace", metadata: { step: "updated" } });
  const { accessToken } = await hj.sessions.signInWithPassword({ email: config.email, password: config.password });
  const first = await hj.verifyToken(accessToken);
  const again = await hj.verifyToken(accessToken);
  // A flipped bit inside the signature (the last character also holds padding bits, so not that one).
  const at = accessToken.length - 10;
  const forged = `${accessToken.slice(0, at)}${accessToken[at] === "A" ? "B" : "A"}${accessToken.slice(at + 1)}`;
  const tampered = await hj.verifyToken(forged).then(
    () => "accepted",
    (error) => `${error.name}: ${error.code}`,
  );
  return {
    created: { id: created.id, createdAtIsDate: created.createdAt instanceof Date },
    page: { ids: page.users.map((user) => user.id), total: page.total },
    updated: { lastName: updated.lastName, metadata: updated.metadata },
    verified: { userId: first.userId, sessionId: first.sessionId, expiresAtIsDate: first.expiresAt instanceof Date },
    remembered: again === first,
    tampered,
    globals: { Buffer: typeof globalThis.Buffer, process: typeof globalThis.process },
  };
}

/** A fetch handler (workerd, edge-runtime): the request body is the scenario's config. */
export async function handle(HelloJohn, request) {
  try {
    return Response.json(await scenario(HelloJohn, await request.json()));
  } catch (error) {
    return Response.json({ error: String(error?.stack ? error.stack : error) }, { status: 500 });
  }
}
