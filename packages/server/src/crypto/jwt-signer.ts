import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { newId } from "./ids.js";
import type { MasterKey } from "./master-key.js";

/** An Ed25519 signing key as stored: public JWK in clear, private key sealed under the master key. */
export interface StoredSigningKey {
  kid: string;
  publicJwk: { kty: "OKP"; crv: "Ed25519"; x: string };
  sealedPrivateKey: string;
}

export function generateSigningKey(master: MasterKey): StoredSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  return {
    kid: newId("kid"),
    publicJwk: { kty: "OKP", crv: "Ed25519", x: jwk.x as string },
    sealedPrivateKey: master.encrypt(privateKey.export({ format: "der", type: "pkcs8" })),
  };
}

export function unsealPrivateKey(master: MasterKey, sealed: string): KeyObject {
  return createPrivateKey({ key: master.decrypt(sealed), format: "der", type: "pkcs8" });
}

/** Signs `claims` as a compact JWS with EdDSA and the key's `kid`. */
export function signJwt(claims: Record<string, unknown>, kid: string, key: KeyObject): string {
  const header = Buffer.from(JSON.stringify({ alg: "EdDSA", typ: "JWT", kid })).toString("base64url");
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = sign(null, Buffer.from(`${header}.${payload}`), key).toString("base64url");
  return `${header}.${payload}.${signature}`;
}
