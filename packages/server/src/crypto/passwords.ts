import { hash, verify, type Algorithm } from "@node-rs/argon2";
import type { HashingAdmission } from "../limits/hashing-admission.js";
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

/**
 * Hashes and verifies on libuv's thread pool, so the event loop never blocks on Argon2,
 * each computation admitted by `admission` (bounded concurrency and queue) when given.
 */
export class PasswordHasher {
  readonly #options: PasswordHashingOptions;
  readonly #admission: HashingAdmission | undefined;
  #dummy: Promise<string> | undefined;

  constructor(options: PasswordHashingOptions = OWASP_ARGON2ID, admission?: HashingAdmission) {
    this.#options = options;
    this.#admission = admission;
  }

  #admit<T>(work: () => Promise<T>): Promise<T> {
    return this.#admission === undefined ? work() : this.#admission.run(work);
  }

  hash(password: string): Promise<string> {
    return this.#admit(() => hash(password, { ...this.#options, algorithm: ARGON2ID }));
  }

  /** Checks a password against this server's Argon2id hashes and any imported kind (bcrypt, Argon2, Firebase scrypt). */
  verify(passwordHash: string, password: string): Promise<boolean> {
    return this.#admit(async () => {
      if (!passwordHash.startsWith("$argon2id$")) return verifyImportedHash(passwordHash, password);
      try {
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    });
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
    // Made once outside admission control: a refused first attempt must not leave a rejected promise here.
    this.#dummy ??= hash("dummy-password-for-timing", { ...this.#options, algorithm: ARGON2ID });
    await this.verify(await this.#dummy, password);
    return false;
  }
}
