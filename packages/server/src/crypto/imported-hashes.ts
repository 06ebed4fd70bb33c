import { createCipheriv, scrypt, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";
import { verify as argon2Verify } from "@node-rs/argon2";

// Password hashes brought from another provider are stored exactly as they came
// (Firebase's, which needs its project's parameters, in a self-contained string),
// verified at sign-in, and replaced by the server's Argon2id on the first success.

/** The families of password hashes the import accepts. */
export type ImportedHashKind = "bcrypt" | "argon2" | "firebase_scrypt";

/** Why an imported hash is refused: a stable code and a human sentence. */
export interface HashRefusal {
  code: "unsupported_password_hash" | "invalid_password_hash";
  message: string;
}

// Caps that keep one imported hash from costing a sign-in seconds or gigabytes.
const BCRYPT_MAX_COST = 16;
const ARGON2_MAX_MEMORY_KIB = 262_144;
const ARGON2_MAX_TIME = 16;
const ARGON2_MAX_PARALLELISM = 16;
const FIREBASE_MAX_MEM_COST = 16;
const FIREBASE_MAX_ROUNDS = 16;

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$argon2(id|i|d)\$(?:v=(16|19)\$)?m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{16,})$/;
const B64 = "[A-Za-z0-9+/]+={0,2}";
const FIREBASE = new RegExp(`^\\$firebase-scrypt\\$v=1,n=(\\d{1,2}),r=(\\d{1,2})\\$(${B64})\\$(${B64})\\$(${B64})\\$(${B64})$`);

/** The prefix of the string form of a Firebase scrypt hash. */
export const FIREBASE_SCRYPT_PREFIX = "$firebase-scrypt$";

/** A Firebase project's password hash parameters (Authentication → Users → ⋮ → Password hash parameters). */
export interface FirebaseHashParameters {
  /** `base64_signer_key`. */
  signerKey: string;
  /** `base64_salt_separator`. */
  saltSeparator: string;
  rounds: number;
  memCost: number;
}

/**
 * The self-contained string form of a Firebase scrypt hash:
 * `$firebase-scrypt$v=1,n=MEM_COST,r=ROUNDS$SALT_SEPARATOR$SIGNER_KEY$SALT$HASH` (base64 parts).
 */
export function firebaseScryptHash(params: FirebaseHashParameters, salt: string, passwordHash: string): string {
  return `${FIREBASE_SCRYPT_PREFIX}v=1,n=${params.memCost},r=${params.rounds}$${params.saltSeparator}$${params.signerKey}$${salt}$${passwordHash}`;
}

/** Classifies an imported hash, or says why it is refused. Never runs the hash. */
export function inspectImportedHash(hash: string): { kind: ImportedHashKind } | HashRefusal {
  const invalid = (message: string): HashRefusal => ({ code: "invalid_password_hash", message });
  if (/^\$2[aby]\$/.test(hash)) {
    const match = BCRYPT.exec(hash);
    if (match === null) return invalid('"password_hash" looks like bcrypt but is malformed (expected $2a$/$2b$/$2y$, a 2-digit cost and 53 characters)');
    const cost = Number(match[1]);
    if (cost < 4 || cost > BCRYPT_MAX_COST) return invalid(`"password_hash" has bcrypt cost ${cost}; accepted: 4 to ${BCRYPT_MAX_COST}`);
    return { kind: "bcrypt" };
  }
  if (hash.startsWith("$argon2")) {
    const match = ARGON2.exec(hash);
    if (match === null) return invalid('"password_hash" looks like Argon2 but is not a valid PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)');
    const [m, t, p] = [Number(match[3]), Number(match[4]), Number(match[5])];
    if (m < 8 || m > ARGON2_MAX_MEMORY_KIB || t < 1 || t > ARGON2_MAX_TIME || p < 1 || p > ARGON2_MAX_PARALLELISM) {
      return invalid(`"password_hash" has Argon2 costs outside the accepted range (m ≤ ${ARGON2_MAX_MEMORY_KIB} KiB, t ≤ ${ARGON2_MAX_TIME}, p ≤ ${ARGON2_MAX_PARALLELISM})`);
    }
    return { kind: "argon2" };
  }
  if (hash.startsWith(FIREBASE_SCRYPT_PREFIX)) {
    const match = FIREBASE.exec(hash);
    if (match === null) return invalid('"password_hash" looks like Firebase scrypt but is malformed');
    const [n, r] = [Number(match[1]), Number(match[2])];
    if (n < 1 || n > FIREBASE_MAX_MEM_COST || r < 1 || r > FIREBASE_MAX_ROUNDS) {
      return invalid(`"password_hash" has Firebase scrypt parameters outside the accepted range (mem_cost 1–${FIREBASE_MAX_MEM_COST}, rounds 1–${FIREBASE_MAX_ROUNDS})`);
    }
    if (Buffer.from(match[4] as string, "base64").length === 0) return invalid('"password_hash" has an empty Firebase signer key');
    return { kind: "firebase_scrypt" };
  }
  return {
    code: "unsupported_password_hash",
    message: '"password_hash" is in no supported format: bcrypt ($2a$/$2b$/$2y$), Argon2 ($argon2id$/$argon2i$/$argon2d$) or Firebase scrypt ($firebase-scrypt$…)',
  };
}

function scryptAsync(password: Buffer, salt: Buffer, n: number, r: number): Promise<Buffer> {
  const N = 2 ** n;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N, r, p: 1, maxmem: 256 * N * r }, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

/** Firebase's modified scrypt: scrypt(password, salt ‖ separator) keys AES-256-CTR (zero IV) over the signer key. */
async function verifyFirebaseScrypt(hash: string, password: string): Promise<boolean> {
  const match = FIREBASE.exec(hash);
  if (match === null) return false;
  const [, n, r, separator, signerKey, salt, expected] = match as unknown as [string, string, string, string, string, string, string];
  const key = await scryptAsync(Buffer.from(password, "utf8"), Buffer.concat([Buffer.from(salt, "base64"), Buffer.from(separator, "base64")]), Number(n), Number(r));
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16, 0));
  const computed = Buffer.concat([cipher.update(Buffer.from(signerKey, "base64")), cipher.final()]);
  const wanted = Buffer.from(expected, "base64");
  return computed.length === wanted.length && timingSafeEqual(computed, wanted);
}

/**
 * Checks `password` against an imported hash of any accepted kind. A malformed
 * or unknown hash never matches. bcrypt runs in slices (bcryptjs), scrypt and
 * Argon2 on libuv's thread pool, so the event loop is not held for the whole check.
 */
export async function verifyImportedHash(hash: string, password: string): Promise<boolean> {
  const inspected = inspectImportedHash(hash);
  if (!("kind" in inspected)) return false;
  try {
    switch (inspected.kind) {
      case "bcrypt":
        return await bcrypt.compare(password, hash);
      case "argon2":
        return await argon2Verify(hash, password);
      case "firebase_scrypt":
        return await verifyFirebaseScrypt(hash, password);
    }
  } catch {
    return false;
  }
}
