/**
 * verify-pack's side of erased values (erasures.ts): a section's records file, each removal
 * record checked before the events name it — its line re-hashed to its leaf, its payload
 * opened against the commitment the leaf holds, and its leaf proved in the section's signed
 * checkpoint (RFC 9162 §2.1.3.2) — and, once every section is read, the `erased` check with
 * what was removed and under which records.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { digestEqual, fromHex } from "../core/encoding/index.js";
import { entryLeafHash, payloadHash, SALT_SIZE, valueCommitment } from "../core/entry/index.js";
import { verifyInclusion } from "../core/merkle/index.js";
import type { Checkpoint } from "../core/note/index.js";
import { parseEntryLine } from "../core/pack/index.js";
import { erasedWords, type ErasureSummary, type ErasureTally } from "./erasures.js";
import type { CheckList } from "./pack-checks.js";
import type { LogStateJson } from "./pack-manifest.js";
import { b64 } from "./pack-reading.js";
import type { SectionCheck } from "./section-check.js";

type RecordsJson = { records?: { entry?: unknown; proof?: unknown }[] };

export async function checkErasureRecords(s: SectionCheck, state: LogStateJson, cp: Checkpoint): Promise<void> {
  const file = state.erasureRecordsFile!;
  let doc: RecordsJson;
  try {
    if (!s.present.has(file)) throw new Error("missing; pack.json names it");
    doc = JSON.parse(await readFile(join(s.dir, file), "utf8")) as RecordsJson;
    if (!Array.isArray(doc.records) || doc.records.length === 0) throw new Error("records: want a non-empty list");
  } catch (error) {
    s.checks.fail("erased", `${file}: ${(error as Error).message}`, file);
    return;
  }
  for (const [i, r] of doc.records.entries()) {
    try {
      if (typeof r?.entry !== "string" || !Array.isArray(r.proof) || !r.proof.every((h) => typeof h === "string")) throw new Error("want an entry line and a proof");
      const e = parseEntryLine(r.entry, i + 1);
      if (e.log !== state.origin) throw new Error(`log ${e.log}, want ${state.origin}`);
      if (BigInt(e.seq) >= cp.size) throw new Error(`seq ${e.seq} is not in the checkpoint's tree of size ${cp.size}`);
      if (s.erasures.hasRecord(state.name, e.seq)) throw new Error(`seq ${e.seq} is listed twice`);
      // The payload is what the leaf commits to: hashed (format 1) or opened with its salt (format 2).
      const salt = e.values?.payload ? fromHex(e.values.payload.salt) : undefined;
      const opens = e.payload !== null && (e.v === 2 ? salt?.length === SALT_SIZE && digestEqual(valueCommitment(salt, e.payload), e.payloadHash) : digestEqual(payloadHash(e.payload), e.payloadHash));
      if (!opens) throw new Error(`seq ${e.seq}: the payload is not the one its leaf commits to`);
      const leaf = entryLeafHash(e);
      if (!digestEqual(leaf, e.leafHash)) throw new Error(`seq ${e.seq}: the entry does not match its leaf_hash`);
      verifyInclusion(e.seq, Number(cp.size), leaf, (r.proof as string[]).map((h) => b64(h)), cp.root);
      s.erasures.addRecord(state.name, file, e);
    } catch (error) {
      s.checks.fail("erased", `${file}: record ${i + 1}: ${(error as Error).message}`, file);
    }
  }
}

/**
 * The `erased` check once every section is read: the counts and the records when nothing
 * failed (an earlier failure was reported with its seq). Undefined when no entry is of format 2.
 */
export function reportErasures(checks: CheckList, tally: ErasureTally): ErasureSummary | undefined {
  const summary = tally.finish();
  if (!summary) return undefined;
  if (checks.checks.some((c) => c.check === "erased" && !c.ok)) return summary;
  const records = summary.records.map((r) => `${r.log} ${erasedWords(r).slice(1, -1)} (${r.values} value${r.values === 1 ? "" : "s"} of ${r.entries} entr${r.entries === 1 ? "y" : "ies"})`);
  checks.pass("erased", summary.values === 0
    ? `${tally.v2} format-2 entries, every committed value opened against its commitment; none erased`
    : `${summary.values} value${summary.values === 1 ? "" : "s"} of ${summary.entries} entr${summary.entries === 1 ? "y" : "ies"} erased or expired, each under a record of its log proved in the pack: ${records.join("; ")}; every other committed value opened against its commitment`);
  return summary;
}
