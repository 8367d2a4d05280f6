/**
 * The entry point of verify.mjs, the verifier every pack carries: `node verify.mjs [--key
 * VKEY|FILE]... [--pack-key FILE] [--json]` checks the pack it sits in, with the same code and
 * the same verdict as `sealtrail verify-pack` (scripts/build.js bundles it with the pure core
 * into one file that imports only node: built-ins, so it runs with no install). The witness
 * policy (--witness) is sealtrail verify-pack's alone.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseVerifierKey, privateKeyFromPem, publicKeyFromPem, rawPublicKey } from "../../core/note/index.js";
import { exitStatus, human } from "../verdict.js";
import { type TrustedKey, verifyPack } from "../verify-pack.js";

const USAGE = "usage: node verify.mjs [--key VKEY|FILE]... [--pack-key FILE] [--json]";

/** A vkey (named: it verifies the log of that origin only), or a PEM file of an Ed25519 key. */
function trustedKey(source: string): { publicKey: Uint8Array; name?: string } {
  let text = source.trim();
  if (!/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(text)) text = readFileSync(source, "utf8").trim();
  if (text.includes("-----BEGIN PUBLIC KEY-----")) return { publicKey: publicKeyFromPem(text) };
  if (text.includes("-----BEGIN PRIVATE KEY-----")) return { publicKey: rawPublicKey(privateKeyFromPem(text)) };
  const { name, publicKey } = parseVerifierKey(text);
  return { publicKey, name };
}

async function main(): Promise<number> {
  let values: { key?: string[]; "pack-key"?: string; json?: boolean };
  let keys: TrustedKey[];
  let packKey: Uint8Array | undefined;
  try {
    ({ values } = parseArgs({ options: { key: { type: "string", multiple: true }, "pack-key": { type: "string" }, json: { type: "boolean" } }, strict: true }));
    keys = (values.key ?? []).map((k) => {
      const key = trustedKey(k);
      return key.name === undefined ? key.publicKey : { name: key.name, publicKey: key.publicKey };
    });
    packKey = values["pack-key"] === undefined ? undefined : trustedKey(values["pack-key"]).publicKey;
  } catch (error) {
    process.stderr.write(`verify.mjs: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  // The pack is the directory this file is in, wherever it is run from.
  const dir = dirname(fileURLToPath(import.meta.url));
  const report = await verifyPack(dir, { checkpointKeys: keys, ...(packKey ? { packKey } : {}) });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : human(report));
  return exitStatus(report);
}

process.exitCode = await main();
