/**
 * verify-pack's check of attested evidence (attestation.ts): the attestations are re-derived
 * from the audit section's entries, which the audit log's checkpoint signs (the range proof
 * covers every one); each attested file in the pack must be the bytes whose SHA-256 and size
 * the entry records, and the entry's own inclusion proof must be in the pack (its proof is
 * checked against the checkpoint with the section's others, log-section-check.ts). A file
 * under attestations/ that no entry names is refused: nothing rides in unaccounted for. The
 * attestations recorded after the period are proved by attestation-late-check.ts first. This
 * holds for every exporter's pack: the attestations follow from the audit log's entries and the
 * framework's control ids (a built-in exporter's, or for a plugin's the ids controls.json lists:
 * the verifier does not have the plugin, and its other documents are not re-derived either).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalize } from "../core/encoding/index.js";
import { ATTESTATIONS_DIR, AttestationFinder } from "./attestation.js";
import type { Exporter } from "./exporter.js";
import type { CheckList } from "./pack-checks.js";
import type { PackJson } from "./pack-manifest.js";
import type { Attestation } from "./pack-model.js";

type ControlJson = { id?: unknown; result?: unknown; attestations?: unknown };

/** controls.json's controls, or undefined when it cannot be read (the populations check says so). */
async function controlsOf(dir: string): Promise<ControlJson[] | undefined> {
  try {
    const controls = (JSON.parse(await readFile(join(dir, "controls.json"), "utf8")) as { controls?: unknown }).controls;
    return Array.isArray(controls) ? (controls as ControlJson[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The finder of the pack's attestations, as the builder made it: of the exporter the pack
 * names, over its period; `builtIn`, the built-in exporter at the pack's version, else the
 * control ids of controls.json. Undefined for packs that name no exporter (built before they did).
 */
export async function attestationFinderOf(dir: string, pack: PackJson, builtIn: Exporter | undefined): Promise<AttestationFinder | undefined> {
  const id = pack.exporter?.id;
  if (typeof id !== "string") return undefined;
  const controls = builtIn ? builtIn.controls.map((c) => c.id) : ((await controlsOf(dir)) ?? []).map((c) => c.id).filter((c): c is string => typeof c === "string");
  return new AttestationFinder({ framework: id, controls, from: pack.request.from, to: pack.request.to });
}

/**
 * A plugin's pack: its controls.json is not rendered again (the verifier lacks the plugin), so
 * each control's list of attestations is compared with the one the entries give, and a control
 * stated `attested` must have one — the file's presence is all that outcome rests on.
 */
export async function checkAttestationListing(dir: string, checks: CheckList, attestations: readonly Attestation[]): Promise<void> {
  const controls = await controlsOf(dir);
  if (!controls) return;
  const canonical = (v: unknown) => canonicalize(JSON.parse(JSON.stringify(v ?? [])));
  for (const c of controls) {
    const want = attestations.filter((a) => a.controlId === c.id);
    if (canonical(c.attestations) !== canonical(want)) {
      checks.fail("attestations", `controls.json: control ${String(c.id)} lists ${Array.isArray(c.attestations) ? c.attestations.length : 0} attestation(s), the audit log's entries give ${want.length}${want.length > 0 ? ` (${want.map((a) => `seq ${a.seq}: ${a.packFile}`).join(", ")})` : ""}`, "controls.json");
    } else if (c.result === "attested" && want.length === 0) {
      checks.fail("attestations", `controls.json: control ${String(c.id)} is attested, but no attestation of it is in the pack`, "controls.json");
    }
  }
}

export async function checkAttestations(dir: string, checks: CheckList, present: ReadonlySet<string>, attestations: readonly Attestation[]): Promise<void> {
  let ok = true;
  const fail = (message: string, file: string) => {
    checks.fail("attestations", message, file);
    ok = false;
  };
  const named = new Set(attestations.flatMap((a) => (a.recordedAfterPeriod ? [a.packFile, a.proofFile] : [a.packFile])));
  for (const path of [...present].filter((p) => p.startsWith(ATTESTATIONS_DIR)).sort()) {
    if (!named.has(path)) fail(`${path}: no evidence.attestation entry of the audit section names this file`, path);
  }
  const checked = new Set<string>();
  for (const a of attestations) {
    const where = `${a.logName} seq ${a.seq} attests ${a.file.name} for ${a.controlId}`;
    if (!present.has(a.proofFile)) fail(`${a.proofFile}: ${where}, but the entry's inclusion proof is missing`, a.proofFile);
    if (checked.has(a.packFile)) continue;
    checked.add(a.packFile);
    const bytes = present.has(a.packFile) ? await readFile(join(dir, a.packFile)).catch(() => undefined) : undefined;
    if (bytes === undefined) {
      fail(`${a.packFile}: missing; ${where}`, a.packFile);
      continue;
    }
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (digest !== a.file.sha256 || bytes.byteLength !== a.file.size) fail(`${a.packFile}: SHA-256 ${digest} (${bytes.byteLength} bytes), but ${where} with SHA-256 ${a.file.sha256} (${a.file.size} bytes)`, a.packFile);
  }
  if (ok && attestations.length > 0) {
    const late = attestations.filter((a) => a.recordedAfterPeriod).length;
    const after = late > 0 ? `; ${late} recorded after the period, each proved a leaf of the audit checkpoint` : "";
    checks.pass("attestations", `${checked.size} attested file${checked.size === 1 ? "" : "s"} (${attestations.map((a) => `${a.controlId}: ${a.packFile}`).join(", ")}): each the bytes whose SHA-256 its ledger entry records, each entry's inclusion proof in the pack${after}`, ATTESTATIONS_DIR);
  }
}
