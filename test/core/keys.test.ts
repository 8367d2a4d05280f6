import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import {
  privateKeyFromPem,
  privateKeyFromSeed,
  publicKeyFromPem,
  publicKeyObject,
  publicKeyToPem,
  rawPublicKey,
} from "../../src/core/note/index.js";
import { errorCode } from "../support/errors.js";

const SEED = Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex");
// RFC 8032 §7.1 TEST 1 public key for that secret key.
const RFC8032_TEST1_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";


describe("privateKeyFromSeed and rawPublicKey", () => {
  it("derive the RFC 8032 §7.1 TEST 1 public key", () => {
    const key = privateKeyFromSeed(SEED);
    expect(key.asymmetricKeyType).toBe("ed25519");
    expect(Buffer.from(rawPublicKey(key)).toString("hex")).toBe(RFC8032_TEST1_PUBLIC);
  });

  it("agree with @noble/curves", () => {
    const seed = new Uint8Array(32).map((_, i) => i * 7 + 1);
    expect(rawPublicKey(privateKeyFromSeed(seed))).toEqual(ed25519.getPublicKey(seed));
  });

  it.each([0, 31, 33, 64])("rejects a %i-byte seed", (n) => {
    expect(errorCode(() => privateKeyFromSeed(new Uint8Array(n)))).toBe("KEY_INVALID");
  });

  it("rawPublicKey rejects non-Ed25519 and public keys", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed448");
    expect(errorCode(() => rawPublicKey(privateKey))).toBe("KEY_INVALID");
    const ed = generateKeyPairSync("ed25519");
    expect(errorCode(() => rawPublicKey(ed.publicKey))).toBe("KEY_INVALID");
    expect(errorCode(() => rawPublicKey(publicKey))).toBe("KEY_INVALID");
  });
});

describe("PEM", () => {
  const key = privateKeyFromSeed(SEED);
  const privatePem = key.export({ format: "pem", type: "pkcs8" }).toString();
  const publicPem = createPublicKey(key).export({ format: "pem", type: "spki" }).toString();

  it("privateKeyFromPem round-trips a PKCS #8 Ed25519 key", () => {
    const parsed = privateKeyFromPem(privatePem);
    expect(parsed.equals(key)).toBe(true);
  });

  it("publicKeyToPem is byte-identical to node:crypto's SPKI export", () => {
    expect(publicKeyToPem(rawPublicKey(key))).toBe(publicPem);
  });

  it("publicKeyFromPem inverts publicKeyToPem, tolerating CRLF and surrounding space", () => {
    const raw = rawPublicKey(key);
    expect(publicKeyFromPem(publicPem)).toEqual(raw);
    expect(publicKeyFromPem(`\n  ${publicPem.replace(/\n/g, "\r\n")}  \n`)).toEqual(raw);
  });

  it("privateKeyFromPem rejects other algorithms, public keys, encrypted keys and garbage", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const ed448 = generateKeyPairSync("ed448").privateKey;
    const encrypted = key.export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "pw" }).toString();
    for (const pem of [
      rsa.export({ format: "pem", type: "pkcs8" }).toString(),
      rsa.export({ format: "pem", type: "pkcs1" }).toString(),
      ec.export({ format: "pem", type: "pkcs8" }).toString(),
      ec.export({ format: "pem", type: "sec1" }).toString(),
      ed448.export({ format: "pem", type: "pkcs8" }).toString(),
      publicPem,
      encrypted,
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
      privatePem.slice(0, 60),
      "",
    ]) {
      expect(errorCode(() => privateKeyFromPem(pem))).toBe("KEY_INVALID");
    }
    expect(errorCode(() => privateKeyFromPem(undefined as unknown as string))).toBe("KEY_INVALID");
  });

  it("publicKeyFromPem rejects private keys, other algorithms and damaged PEM", () => {
    const ecPublic = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    const lines = publicPem.split("\n");
    for (const pem of [
      privatePem,
      ecPublic.export({ format: "pem", type: "spki" }).toString(),
      publicPem.replace("PUBLIC KEY-----\n", "PUBLIC KEY-----\n!"),
      [lines[0], lines[1]!.slice(4), lines[2]].join("\n"),
      [lines[0], lines[1]!.slice(0, -4) + "AAAA", lines[2]].join("\n"),
      `${publicPem}extra`,
      "",
    ]) {
      expect(errorCode(() => publicKeyFromPem(pem))).toBe("KEY_INVALID");
    }
  });

  it("publicKeyToPem and publicKeyObject reject keys of the wrong length", () => {
    expect(errorCode(() => publicKeyToPem(new Uint8Array(31)))).toBe("KEY_INVALID");
    expect(errorCode(() => publicKeyObject(new Uint8Array(33)))).toBe("KEY_INVALID");
  });
});
