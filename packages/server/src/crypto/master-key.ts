import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The server's master key: it encrypts signing keys at rest (AES-256-GCM) and
 * derives the key that signs pagination cursors.
 */
export class MasterKey {
  readonly #encryptionKey: Buffer;
  readonly #cursorKey: Buffer;

  constructor(raw: Buffer) {
    if (raw.length !== 32) throw new Error("The master key must be 32 bytes (64 hex characters or 44 base64 characters)");
    this.#encryptionKey = Buffer.from(hkdfSync("sha256", raw, Buffer.alloc(0), "hellojohn/encryption", 32));
    this.#cursorKey = Buffer.from(hkdfSync("sha256", raw, Buffer.alloc(0), "hellojohn/cursor", 32));
  }

  /** Parses 64 hex characters or base64(url) of 32 bytes. */
  static parse(text: string): MasterKey {
    const trimmed = text.trim();
    const raw = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
    return new MasterKey(raw);
  }

  /** A fresh random key, as hex. */
  static generate(): string {
    return randomBytes(32).toString("hex");
  }

  encrypt(plaintext: Buffer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
  }

  decrypt(sealed: string): Buffer {
    if (!sealed.startsWith("v1.")) throw new Error("Unknown ciphertext version");
    const data = Buffer.from(sealed.slice(3), "base64url");
    const decipher = createDecipheriv("aes-256-gcm", this.#encryptionKey, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
  }

  /** A short MAC over `data`, for tamper-evident cursors. */
  mac(data: string): string {
    return createHmac("sha256", this.#cursorKey).update(data).digest("base64url").slice(0, 22);
  }

  verifyMac(data: string, mac: string): boolean {
    const expected = Buffer.from(this.mac(data));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  toJSON(): string {
    return "[MasterKey]";
  }
}
