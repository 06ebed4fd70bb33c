import { HelloJohn, type ImportUserParams } from "@hellojohn/node";
import { createServer, type HelloJohnServer, type ServerOptions } from "../app.js";
import { type ExportedUser, fromWireImportUser, type ImportUserInput, wireExportedUser } from "../contract/wire.js";
import type { RequestContext } from "../services/context.js";
import type { ImportResult } from "../services/user-transfer.service.js";

/** One page of an export, and the position an export resumed after it starts from. */
export interface ExportPage {
  users: ExportedUser[];
  /**
   * Opaque to the caller: pass it as `after` to go on with the users after
   * this page. `null` when this page is the last one.
   */
  next: string | null;
}

/** Which target an export reads, without any secret: a resumed export must read the same one. */
export interface TargetIdentity {
  kind: "database" | "api";
  /** The database URL without credentials or query, or the API's base URL. */
  location: string;
  tenantId: string;
}

/** Where `users import` writes and `users export` reads: the database itself, or a server through the SDK. */
export interface TransferTarget {
  readonly description: string;
  readonly identity: TargetIdentity;
  /** Imports one batch; `key` makes a re-sent batch replay instead of running twice (remote). */
  import(users: ImportUserInput[], key: string): Promise<ImportResult>;
  /** How many users there are, when it can be known cheaply. */
  count(): Promise<number | undefined>;
  /**
   * Every user with their memberships, newest first, a page at a time; with
   * `after` (a page's `next`) only the users after that page. The database
   * pages by `pageSize` (default 1000); the API by at most 100.
   */
  export(options: { withPasswordHashes: boolean; after?: string | null; pageSize?: number }): AsyncIterable<ExportPage>;
  close(): Promise<void>;
}

/** The API's largest page. */
const API_PAGE = 100;

/** A database URL with its credentials and query left out, so it can be saved and compared. */
export function databaseLocation(databaseUrl: string): string {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    try {
      const url = new URL(databaseUrl);
      return `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
      return "postgres (unparsable URL)";
    }
  }
  return databaseUrl.split("?")[0] ?? databaseUrl;
}

/** The keyset position after a user: its creation time in milliseconds and its ID. */
const positionAfter = (user: ExportedUser): string => JSON.stringify([Date.parse(user.created_at), user.id]);

function keysetOf(position: string): { createdAt: number; id: string } {
  const parsed: unknown = JSON.parse(position);
  if (!Array.isArray(parsed) || typeof parsed[0] !== "number" || !Number.isFinite(parsed[0]) || typeof parsed[1] !== "string") {
    throw new Error(`Not a database export position: ${position}`);
  }
  return { createdAt: parsed[0], id: parsed[1] };
}

/** Against the database: the same service the API runs, in this process. */
export async function localTarget(config: ServerOptions, tenantId: string): Promise<TransferTarget> {
  const server: HelloJohnServer = await createServer(config);
  const ctx: RequestContext = { tenantId, actor: { type: "system", id: "cli" }, ip: null, userAgent: "hellojohn-server users" };
  try {
    await server.tenants.getTenant(tenantId);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    description: `tenant ${tenantId} in the database`,
    identity: { kind: "database", location: databaseLocation(config.databaseUrl ?? "sqlite::memory:"), tenantId },
    import: (users) => server.transfer.import(ctx, { users: users.map(fromWireImportUser) }),
    count: () => server.transfer.count(tenantId),
    async *export({ withPasswordHashes, after, pageSize = 1000 }) {
      const from = after === undefined || after === null ? undefined : keysetOf(after);
      let users: ExportedUser[] = [];
      for await (const record of server.transfer.export(ctx, { withPasswordHashes, pageSize, after: from })) {
        const user = wireExportedUser(record);
        users.push(user);
        if (users.length >= pageSize) {
          yield { users, next: positionAfter(user) };
          users = [];
        }
      }
      const last = users[users.length - 1];
      if (last !== undefined) yield { users, next: positionAfter(last) };
    },
    close: () => server.close(),
  };
}

/**
 * A row of an import file to the SDK's parameters. Every field is taken apart by name and
 * the rest must be empty, so a field added to the import row fails the type check here
 * until it is mapped (a remote import once dropped `username` this way).
 */
function toParams(user: ImportUserInput): ImportUserParams {
  const { id, email, password, password_hash, username, first_name, last_name, phone_number, avatar_url, email_verified, metadata, disabled, created_at, ...rest } = user;
  const unmapped: Record<string, never> = rest;
  void unmapped;
  return {
    id,
    email,
    password,
    passwordHash: password_hash,
    username,
    firstName: first_name,
    lastName: last_name,
    phoneNumber: phone_number,
    avatarUrl: avatar_url,
    emailVerified: email_verified,
    metadata: metadata as ImportUserParams["metadata"],
    disabled,
    createdAt: created_at,
  };
}

/** Against a running server, through the SDK (its retries and idempotency keys). */
export function remoteTarget(options: { baseUrl: string; tenantId: string; secretKey: string }): TransferTarget {
  const hj = new HelloJohn({ ...options, timeout: 120_000 });
  return {
    description: `tenant ${options.tenantId} at ${options.baseUrl}`,
    identity: { kind: "api", location: options.baseUrl, tenantId: options.tenantId },
    import: (users, key) => hj.users.import({ users: users.map(toParams) }, { idempotencyKey: key }) as Promise<ImportResult>,
    count: async () => (await hj.users.list({ limit: 1 })).total,
    async *export({ withPasswordHashes, after, pageSize = API_PAGE }) {
      if (withPasswordHashes) throw new Error("--with-password-hashes works only against the database (--database-url): the API never returns password hashes");
      // The API lists memberships by organization: gather them first (one entry per membership).
      const memberships = new Map<string, ExportedUser["memberships"]>();
      for await (const org of hj.organizations.list({ limit: 100 })) {
        for await (const m of hj.organizations.listMembers(org.id, { limit: 100 })) {
          const list = memberships.get(m.userId) ?? [];
          list.push({ org_id: org.id, org_name: org.name, role: m.role, created_at: m.createdAt.toISOString() });
          memberships.set(m.userId, list);
        }
      }
      // Page by page with the API's own cursors, so that a page's `next` resumes exactly after it.
      let cursor = after ?? undefined;
      for (;;) {
        const page = await hj.users.list({ limit: Math.min(pageSize, API_PAGE), cursor });
        const users = page.users.map(
          (u): ExportedUser => ({
            id: u.id,
            email: u.email,
            email_verified: u.emailVerified,
            username: u.username,
            first_name: u.firstName,
            last_name: u.lastName,
            phone_number: u.phoneNumber,
            avatar_url: u.avatarUrl,
            metadata: u.metadata,
            created_at: u.createdAt.toISOString(),
            updated_at: u.updatedAt.toISOString(),
            last_sign_in_at: u.lastSignInAt === null ? null : u.lastSignInAt.toISOString(),
            disabled: u.disabled,
            memberships: memberships.get(u.id) ?? [],
          }),
        );
        if (users.length > 0 || page.nextCursor === null) yield { users, next: page.nextCursor };
        if (page.nextCursor === null) return;
        cursor = page.nextCursor;
      }
    },
    close: async () => undefined,
  };
}
