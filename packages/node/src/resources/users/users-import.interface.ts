import type { UserProfileParams } from "./users.interface.js";

/** One user for {@link Users.import}. */
export interface ImportUserParams extends UserProfileParams {
  /** Keep this ID (`usr_…`), e.g. when moving between HelloJohn servers; a new one otherwise. */
  id?: string | undefined;
  email: string;
  /** A plaintext password (8–128 characters), hashed with Argon2id by the server. Give this or `passwordHash`. */
  password?: string | undefined;
  /**
   * A hash from the previous provider, kept as it is and upgraded to Argon2id at
   * the user's first sign-in: bcrypt (`$2a$`, `$2b$`, `$2y$`), Argon2 (`$argon2id$`,
   * `$argon2i$`, `$argon2d$`) or Firebase scrypt
   * (`$firebase-scrypt$v=1,n=MEM_COST,r=ROUNDS$SALT_SEPARATOR$SIGNER_KEY$SALT$HASH`).
   */
  passwordHash?: string | undefined;
  /** Import the user disabled (banned or blocked at the provider). */
  disabled?: boolean | undefined;
  /** When the user was created at the provider; default now. */
  createdAt?: Date | string | undefined;
}

/** A batch for {@link Users.import}: 1 to 1,000 users. */
export interface ImportUsersParams {
  users: ImportUserParams[];
}

/** What happened to one user of the batch. */
export interface ImportUserResult {
  /** Position in the batch's `users`. */
  index: number;
  /** `skipped`: a user with this email or ID already exists (a resent batch skips everyone). */
  status: "created" | "skipped" | "refused";
  /** The new user's ID when created. */
  id: string | null;
  email: string | null;
  /** Why it was skipped or refused; `param` names the field. */
  error: { code: string; message: string; param: string | null } | null;
}

/** The result of {@link Users.import}: counts and one result per user, in order. */
export interface ImportUsersResult {
  created: number;
  skipped: number;
  refused: number;
  results: ImportUserResult[];
}
