/**
 * The verifier every pack carries: VERIFY.md (the checks by hand with sha256sum and openssl,
 * including each checkpoint's C2SP signed-note signature under the auditor's vkey) and
 * verify.mjs (verify-pack's own code bundled by scripts/build.js into one file that needs only
 * Node). Both are sealed in SHA256SUMS like every other file.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PackError } from "./pack-error.js";
import type { PackModel } from "./pack-model.js";
import type { PackWriter } from "./pack-writer.js";

export const VERIFIER_FILE = "verify.mjs";
export const VERIFY_GUIDE_FILE = "VERIFY.md";

/** dist/verifier/verify.mjs of the package this module belongs to (run from src/ or dist/). */
function bundledVerifier(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json"))) {
      const file = join(dir, "dist", "verifier", VERIFIER_FILE);
      if (existsSync(file)) return file;
    }
    dir = dirname(dir);
  }
  return undefined;
}

export async function writeVerifierFiles(writer: PackWriter, model: PackModel): Promise<void> {
  const file = bundledVerifier();
  if (!file) throw new PackError("FILE", `${VERIFIER_FILE} is not built (dist/verifier/${VERIFIER_FILE}): run npm run build`);
  await writer.writeBytes(VERIFIER_FILE, new Uint8Array(await readFile(file)));
  await writer.writeText(VERIFY_GUIDE_FILE, verifyGuide(model));
}

/** The guide's text: the same for the same pack model, so rebuilds stay byte-identical. */
export function verifyGuide(model: PackModel): string {
  const logs = model.logs.map((l) => `- \`${l.checkpointFile}\`: log \`${l.name}\` (${l.role}), origin \`${l.origin}\`, size ${l.checkpoint.size}, root \`${l.checkpoint.root}\``);
  const first = model.logs[0]!;
  return `# Verifying pack ${model.packId}

Everything here runs with standard tools in this directory; nothing asks you to trust the
company that built the pack. You need each log's verifier key (vkey, \`<origin>+<key id>+<key>\`)
as you received it from the log's operator, not from this pack.

## 1. The files: sha256sum

\`\`\`sh
sha256sum -c --strict SHA256SUMS
\`\`\`

Every file but SHA256SUMS, SHA256SUMS.sig and signing-key.pem is listed; a changed byte fails.

## 2. The seal: openssl

\`\`\`sh
openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
\`\`\`

This proves only that whoever holds signing-key.pem sealed the files: the company. What makes
the pack evidence is step 3, under keys you hold.
${model.sumsTimeStamped ? "\nThe time-stamping authority's RFC 3161 token over SHA256SUMS (TSA-CA.pem: the TSA's CA certificate, from the TSA):\n\n```sh\nopenssl ts -verify -data SHA256SUMS -in SHA256SUMS.tsr -CAfile TSA-CA.pem\n```\n" : ""}
## 3. Each checkpoint: openssl and your vkey

The pack's checkpoints (C2SP tlog-checkpoint, in a C2SP signed note):

${logs.join("\n")}

A note's signed text is its lines up to the blank line; its signature line is
\`— <origin> <base64(4-byte key id || 64-byte Ed25519 signature)>\`. For each checkpoint, set
CHECKPOINT, ORIGIN and VKEY (here for the first) and run:

\`\`\`sh
CHECKPOINT=${first.checkpointFile}
ORIGIN='${first.origin}'
VKEY='<the vkey of ${first.origin}, as you hold it>'
awk 'NF == 0 { exit } { print }' "$CHECKPOINT" > note-text
grep -F -- "— $ORIGIN " "$CHECKPOINT" | head -n 1 | awk '{ print $3 }' | base64 -d | tail -c 64 > note.sig
printf '%s' "$VKEY" | sed 's/^[^+]*+[0-9a-f]\\{8\\}+//' | base64 -d | tail -c 32 > vkey.raw
{ printf '\\060\\052\\060\\005\\006\\003\\053\\145\\160\\003\\041\\000'; cat vkey.raw; } > vkey.der
openssl pkey -pubin -inform DER -in vkey.der -out vkey.pem
openssl pkeyutl -verify -pubin -inkey vkey.pem -rawin -in note-text -sigfile note.sig
\`\`\`

The vkey's name must be the origin: a key is for the log it names. The 12 bytes before the key
are the DER header of an Ed25519 public key (RFC 8410).
${custodySteps(model)}
## ${model.signingKey === undefined ? 4 : 5}. Everything else: node verify.mjs

\`\`\`sh
node verify.mjs --key VKEY_OF_EACH_LOG ...
\`\`\`

verify.mjs is \`sealtrail verify-pack\` in one file that needs only Node (20.19 or later, no
install): it re-hashes every entry, checks the range, inclusion, consistency and tlog proofs
against the checkpoints, re-derives every population file and sample from the entries, and
gives the same two results and exit status as \`sealtrail verify-pack . --key …\`:
integrity and authenticity, exit 0 both verified, 1 either failed, 4 intact but authenticity
unknown (no --key). Before you rely on it, compare \`sha256sum verify.mjs\` with the SHA-256
of \`dist/verifier/verify.mjs\` in a copy of ${model.generator.name} ${model.generator.version} you obtained yourself:
the file is the same in every pack that version builds.
`;
}

/** The pack hash and the signing key's fingerprint, recomputed by hand (pack-hash.ts); packs built before they were stated have no such step. */
function custodySteps(model: PackModel): string {
  if (model.signingKey === undefined) return "";
  return `
## 4. The pack hash and the signing key: sha256sum and openssl

The pack hash on the report's cover and custody page is the SHA-256 of the bytes of
SHA256SUMS with the one line naming report.pdf removed: every other line kept as it is, in
its order, each with its newline. It seals every file of the pack but the report, which is
rendered last and prints it (a file cannot list its own hash). The signing key's fingerprint
is the SHA-256 of the raw 32-byte Ed25519 public key in signing-key.pem (the last 32 bytes of
its DER form, RFC 8410), here \`${model.signingKey}\`:

\`\`\`sh
grep -v '  report.pdf$' SHA256SUMS | sha256sum
openssl pkey -pubin -in signing-key.pem -outform DER | tail -c 32 | sha256sum
\`\`\`

Compare the first with the report's pack hash, the second with the fingerprint the company
gave you for its pack key (and with pack.json's custody.signingKey).
`;
}
