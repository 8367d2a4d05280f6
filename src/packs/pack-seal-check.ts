/** The pack's seal: SHA256SUMS against the files (what `sha256sum -c` checks) and its Ed25519 signature. */
import { verify as cryptoVerify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { publicKeyFromPem, publicKeyObject } from "../core/note/index.js";
import { digestEqual, toHex } from "../core/encoding/index.js";
import { parseSha256Sums, SHA256SUMS_FILE, SIGNATURE_FILE, SIGNING_KEY_FILE, SUMS_TIMESTAMP_FILE } from "../core/pack/index.js";
import type { CheckList } from "./pack-checks.js";
import { listFiles, sha256File } from "./pack-reading.js";

const SEAL = new Set([SHA256SUMS_FILE, SIGNATURE_FILE, SIGNING_KEY_FILE, SUMS_TIMESTAMP_FILE]);

export interface SealedFiles {
  /** SHA256SUMS as read: what the signature covers. */
  sumsText: string;
  /** The paths SHA256SUMS lists. */
  listedPaths: Set<string>;
  /** Every file in the pack's directory. */
  present: Set<string>;
}

/** Every listed file present with its digest, nothing unlisted; undefined when SHA256SUMS cannot be read. */
export async function checkFiles(dir: string, checks: CheckList): Promise<SealedFiles | undefined> {
  let sumsText: string;
  try {
    sumsText = await readFile(join(dir, SHA256SUMS_FILE), "utf8");
  } catch (error) {
    checks.fail("manifest", `cannot read ${SHA256SUMS_FILE}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, SHA256SUMS_FILE);
    return undefined;
  }
  let listed: { path: string; sha256: Uint8Array }[];
  try {
    listed = parseSha256Sums(sumsText);
  } catch (error) {
    checks.fail("manifest", (error as Error).message, SHA256SUMS_FILE);
    return undefined;
  }
  const present = new Set(await listFiles(dir));
  let filesOk = true;
  for (const f of listed) {
    if (!present.has(f.path)) {
      checks.fail("files", `${f.path} is listed in SHA256SUMS but missing`, f.path);
      filesOk = false;
      continue;
    }
    const got = await sha256File(join(dir, f.path));
    if (!digestEqual(got, f.sha256)) {
      checks.fail("files", `${f.path}: SHA-256 ${toHex(got)}, SHA256SUMS says ${toHex(f.sha256)}`, f.path);
      filesOk = false;
    }
  }
  const listedPaths = new Set(listed.map((f) => f.path));
  for (const p of present) {
    if (!listedPaths.has(p) && !SEAL.has(p)) {
      checks.fail("files", `${p} is in the pack but not in SHA256SUMS`, p);
      filesOk = false;
    }
  }
  if (filesOk) checks.pass("files", `${listed.length} files match SHA256SUMS`);
  return { sumsText, listedPaths, present };
}

/** The signature over SHA256SUMS, by the pinned key or else the pack's own; that key, when it could be read. */
export async function checkSignature(dir: string, sumsText: string, pinned: Uint8Array | undefined, checks: CheckList): Promise<Uint8Array | undefined> {
  let packKey: Uint8Array | undefined;
  try {
    const included = publicKeyFromPem(await readFile(join(dir, SIGNING_KEY_FILE), "utf8"));
    if (pinned && !digestEqual(pinned, included)) checks.fail("signature", `${SIGNING_KEY_FILE} is not the pack key you trust`, SIGNING_KEY_FILE);
    packKey = pinned ?? included;
    const sig = await readFile(join(dir, SIGNATURE_FILE));
    const ok = sig.length === 64 && cryptoVerify(null, Buffer.from(sumsText, "utf8"), publicKeyObject(packKey), sig);
    if (ok) checks.pass("signature", `${SIGNATURE_FILE} is a valid Ed25519 signature of SHA256SUMS by ${pinned ? "the trusted pack key" : `the key in ${SIGNING_KEY_FILE} (not pinned: give --pack-key to pin it)`}`);
    else checks.fail("signature", `${SIGNATURE_FILE} is not a valid signature of SHA256SUMS by ${pinned ? "the trusted pack key" : SIGNING_KEY_FILE}`, SIGNATURE_FILE);
  } catch (error) {
    checks.fail("signature", `cannot check the signature: ${(error as Error).message}`, SIGNATURE_FILE);
  }
  return packKey;
}
