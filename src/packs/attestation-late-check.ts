/**
 * verify-pack's side of the attestations recorded after the period (attestation.ts): each file
 * attestations/recorded-after/<seq>.json holds an entry of the tenant's audit log and its
 * inclusion proof. The entry is re-hashed (payload and leaf), proved a leaf of the audit
 * section's checkpoint (RFC 9162 §2.1.3.2), which the auditor's key signs, shown to lie after
 * the section (seq at or past its end, recorded at or after the period's end) and to be an
 * attestation of this pack (framework, control, a stated period overlapping the pack's, no
 * payload a secret rule would withhold); then the finder adds it as the builder did. Pure but
 * for reading the pack's files.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { digestEqual } from "../core/encoding/index.js";
import { entryLeafHash, payloadHash } from "../core/entry/index.js";
import { verifyInclusion } from "../core/merkle/index.js";
import type { Checkpoint } from "../core/note/index.js";
import { type PackEntry, parseEntryLine } from "../core/pack/index.js";
import { type AttestationFinder, LATE_ATTESTATIONS_DIR } from "./attestation.js";
import type { CheckList } from "./pack-checks.js";
import type { LogStateJson } from "./pack-manifest.js";
import { b64 } from "./pack-reading.js";
import { secretRulesMatched } from "./secrets.js";

type LateJson = { seq?: unknown; size?: unknown; leafHash?: unknown; proof?: unknown; entry?: unknown };

/**
 * `audit`: the audit section and its checkpoint, undefined when the pack has none or it did not
 * verify; `seen`: the attestation entries of its after-period file (after-period-check.ts),
 * undefined when it has none (older packs): then each one of this pack must be carried, and
 * omitting one fails.
 */
export async function checkLateAttestations(dir: string, checks: CheckList, present: ReadonlySet<string>, audit: { state: LogStateJson; cp: Checkpoint | undefined } | undefined, finder: AttestationFinder, seen: readonly PackEntry[] | undefined): Promise<{ withheld: number }> {
  const files = [...present].filter((p) => p.startsWith(LATE_ATTESTATIONS_DIR));
  const seqOf = (p: string) => /^(0|[1-9]\d{0,14})\.json$/.exec(p.slice(LATE_ATTESTATIONS_DIR.length))?.[1];
  // In seq order, as the builder wrote them (the order of the attestations in the documents).
  files.sort((a, b) => Number(seqOf(a) ?? Infinity) - Number(seqOf(b) ?? Infinity) || (a < b ? -1 : 1));
  for (const file of files) {
    try {
      const seq = seqOf(file);
      if (seq === undefined) throw new Error("not named <seq>.json");
      if (!audit) throw new Error("the pack has no audit section whose checkpoint could prove it");
      if (!audit.cp) throw new Error(`not checked: ${audit.state.checkpointFile} did not verify`);
      const { state, cp } = audit;
      const p = JSON.parse(await readFile(join(dir, file), "utf8")) as LateJson;
      if (typeof p.entry !== "string" || typeof p.leafHash !== "string" || !Array.isArray(p.proof) || !p.proof.every((h) => typeof h === "string")) throw new Error("want entry, leafHash and proof");
      const e = parseEntryLine(p.entry, 1);
      const to = Date.parse(finder.period.to);
      const problem =
        p.seq !== e.seq || String(e.seq) !== seq ? `holds entry ${e.seq} (proof for seq ${String(p.seq)}), want ${seq}`
        : e.log !== state.origin ? `an entry of ${e.log}, want the audit log ${state.origin}`
        : p.size !== Number(cp.size) ? `a proof at size ${String(p.size)}, want the audit checkpoint's size ${cp.size}`
        : e.seq < state.endSeq ? `entry ${e.seq} is in the audit section (it ends at seq ${state.endSeq - 1}): an attestation recorded in the period is found there`
        : e.payload === null ? "its payload is not shown"
        : !digestEqual(payloadHash(e.payload), e.payloadHash) ? "the payload does not match its payload_hash"
        : !digestEqual(entryLeafHash(e), e.leafHash) || !digestEqual(e.leafHash, b64(p.leafHash)) ? "the entry does not match its leaf_hash"
        : !(Date.parse(e.recordedAt) >= to) ? `recorded_at ${e.recordedAt} is before the period's end ${finder.period.to}`
        : secretRulesMatched(e.payload).length > 0 ? "its payload matches a secret rule; the builder would have left it out"
        : !finder.acceptsLate(e) ? "not an attestation of this pack: another framework or control, or no stated period overlapping the pack's"
        : undefined;
      if (problem) throw new Error(problem);
      verifyInclusion(e.seq, Number(cp.size), e.leafHash, (p.proof as string[]).map((h) => b64(h)), cp.root);
      finder.addLate(e, state.name, file);
    } catch (error) {
      checks.fail("attestations", `${file}: ${(error as Error).message}`, file);
    }
  }
  // Completeness: every attestation of this pack the after-period file shows is carried.
  const carried = new Set(finder.found.filter((a) => a.recordedAfterPeriod).map((a) => a.seq));
  for (const e of seen ?? []) {
    if (e.payload === null || secretRulesMatched(e.payload).length > 0 || !finder.acceptsLate(e) || carried.has(e.seq)) continue;
    const where = audit?.state.afterPeriodFile ?? "the audit section";
    checks.fail("attestations", `${where}: entry ${e.seq} attests evidence of this pack's period (recorded ${e.recordedAt}), but the pack does not carry it (${LATE_ATTESTATIONS_DIR}${e.seq}.json)`, where);
  }
  return { withheld: (seen ?? []).filter((e) => e.payload === null).length };
}
