import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { rawPublicKey } from "../../src/core/note/index.js";

/** A fresh Ed25519 key pair, made at test time (no key is ever committed). */
export function testKey(): { privateKey: KeyObject; publicKey: Uint8Array; pem: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  return {
    privateKey,
    publicKey: rawPublicKey(privateKey),
    pem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
  };
}
