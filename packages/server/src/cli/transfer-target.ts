import { HelloJohn, type ImportUserParams } from "@hellojohn/node";
import { createServer, type HelloJohnServer, type ServerOptions } from "../app.js";
import type { RequestContext } from "../services/context.js";
import type { ExportedUser, ImportResult, ImportUserInput } from "../services/user-transfer.service.js";

/** Where `users import` writes and `users export` reads: the database itself, or a server through the SDK. */
export interface TransferTarget {
  readonly description: string;
  /** Imports one batch; `key` makes a re-sent batch replay instead of running twice (remote). */
  import(users: ImportUserInput[], key: string): Promise<ImportResult>;
  /** How many users there are, when it can be known cheaply. */
  count(): Promise<number | undefined>;
  export(options: { withPasswordHashes: boolean }): AsyncIterable<ExportedUser>;
  close(): Promise<void>;
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
    import: (users) => server.transfer.import(ctx, { users }),
    count: () => server.transfer.count(tenantId),
    export: ({ withPasswordHashes }) => server.transfer.export(ctx, { withPasswordHashes }),
    close: () => server.close(),
  };
}

const toParams = (user: ImportUserInput): ImportUserParams => ({
  id: user.id,
  email: user.email,
  password: user.password,
  passwordHash: user.password_hash,
  firstName: user.first_name,
  lastName: user.last_name,
  phoneNumber: user.phone_number,
  avatarUrl: user.avatar_url,
  emailVerified: user.email_verified,
  metadata: user.metadata as ImportUserParams["metadata"],
  disabled: user.disabled,
  createdAt: user.created_at,
});

/** Against a running server, through the SDK (its retries and idempotency keys). */
export function remoteTarget(options: { baseUrl: string; tenantId: string; secretKey: string }): TransferTarget {
  const hj = new HelloJohn({ ...options, timeout: 120_000 });
  return {
    description: `tenant ${options.tenantId} at ${options.baseUrl}`,
    import: (users, key) => hj.users.import({ users: users.map(toParams) }, { idempotencyKey: key }) as Promise<ImportResult>,
    count: async () => (await hj.users.list({ limit: 1 })).total,
    async *export({ withPasswordHashes }) {
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
      for await (const u of hj.users.list({ limit: 100 })) {
        yield {
          id: u.id,
          email: u.email,
          email_verified: u.emailVerified,
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
        };
      }
    },
    close: async () => undefined,
  };
}
