import { hash, verify, type Algorithm } from "@node-rs/argon2";
import { verifyImportedHash } from "./imported-hashes.js";

// `Algorithm` is an ambient const enum (not importable under isolatedModules); 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/** Argon2id cost. OWASP's recommendation is the default; lower costs are for tests only. */
export interface PasswordHashingOptions {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: PasswordHashingOptions = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
/** Fast and insecure: only `startTestServer()` and explicit test settings use it. */
export const TEST_ONLY_ARGON2ID: PasswordHashingOptions = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/** Hashes and verifies on libuv's thread pool, so the event loop never blocks on Argon2. */
export class PasswordHasher {
  readonly #options: PasswordHashingOptions;
  #dummy: Promise<string> | undefined;

  constructor(options: PasswordHashingOptions = OWASP_ARGON2ID) {
    this.#options = options;
  }

  hash(password: string): Promise<string> {
    return hash(password, { ...this.#options, algorithm: ARGON2ID });
  }

  /** Checks a password against this server's Argon2id hashes and any imported kind (bcrypt, Argon2, Firebase scrypt). */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    if (!passwordHash.startsWith("$argon2id$")) return verifyImportedHash(passwordHash, password);
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /**
   * True when a hash is not this server's Argon2id at its configured cost (an
   * imported bcrypt, Argon2i/d or Firebase scrypt hash, or an older cost): the
   * next successful sign-in replaces it.
   */
  needsRehash(passwordHash: string): boolean {
    const { memoryCost, timeCost, parallelism } = this.#options;
    return !passwordHash.startsWith(`$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$`);
  }

  /** Spends the same time as a real check, so unknown emails cannot be told apart by timing. */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.#dummy ??= this.hash("dummy-password-for-timing");
    await this.verify(await this.#dummy, password);
    return false;
  }
}
