/**
 * One log's section of a pack: its checkpoint under a trusted key, every entry re-hashed and
 * chained, the range proof that the entries are exactly the signed tree's leaves for the
 * period, the sampled inclusion proofs, and consistency with the previous pack's checkpoint
 * (RFC 9162 §2.1.3, §2.1.4). Streams the events, so memory stays bounded.
 */
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { verifyCheckpoint, type Checkpoint, ed25519Verifier } from "../core/note/index.js";
import { chainHash, entryLeafHash, payloadHash } from "../core/entry/index.js";
import { digestEqual, toBase64 } from "../core/encoding/index.js";
import { verifyConsistency, verifyInclusion, RangeAccumulator } from "../core/merkle/index.js";
import { type PackEntry, parseEntryLine } from "../core/pack/index.js";
import type { CheckList, CheckName } from "./pack-checks.js";
import type { LogStateJson } from "./pack-manifest.js";
import { b64, checkWitness, type Witness } from "./pack-reading.js";
import { checkTimestamp, checkTlogProofs } from "./trust-checks.js";
import type { SectionCheck } from "./section-check.js";
import { checkErasureRecords } from "./erasure-check.js";
import { checkAfterPeriod } from "./after-period-check.js";

export type { SectionCheck } from "./section-check.js";

type RangeJson = { firstSeq: number; endSeq: number; checkpointSize: number; frontier: string[]; consistencyProof: string[]; chainBefore: string; before: Witness | null; after: Witness | null };

/** Checks the section; gives its checkpoint when it verified under a trusted key (the attestations recorded after the period are proved in it). */
export async function checkSection(s: SectionCheck, state: LogStateJson): Promise<Checkpoint | undefined> {
  const cp = await checkCheckpoint(s, state);
  if (!cp) return undefined;
  if (state.erasureRecordsFile !== undefined) await checkErasureRecords(s, state, cp);
  let range: RangeJson;
  try {
    range = JSON.parse(await readFile(join(s.dir, state.rangeFile), "utf8"));
  } catch (error) {
    s.checks.fail("range", `${state.rangeFile}: ${(error as Error).message}`, state.rangeFile);
    return cp;
  }
  // Every proof file of the section is checked: a proof cannot be slipped in unchecked.
  const wanted = new Set<number>();
  const tlogProofs: number[] = [];
  for (const p of [...s.present].filter((f) => f.startsWith(state.inclusionPrefix))) {
    const m = /^(0|[1-9]\d{0,14})\.(json|tlog-proof)$/.exec(p.slice(state.inclusionPrefix.length));
    if (m?.[2] === "json") wanted.add(Number(m[1]));
    else if (m) tlogProofs.push(Number(m[1]));
    else s.checks.fail("inclusion", `${p} is not named <seq>.json or <seq>.tlog-proof: not a proof of this section`, p);
  }
  // A C2SP tlog-proof needs its entry's leaf, read with the others.
  const leafOf = await checkEventsAndRange(s, state, cp, range, new Set([...wanted, ...tlogProofs]));
  await checkInclusion(s, state, cp, wanted, leafOf);
  await checkTlogProofs(s, state, cp, tlogProofs.sort((a, b) => a - b), leafOf);
  await checkTimestamp(s, state);
  if (state.role === "subject" && state.previous) await checkConsistency(s, state, cp, state.previous.proofFile);
  return cp;
}

/** The first of the keys the note verifies under, with the log's origin; else the last key's error. */
function trustedCheckpoint(note: string, origin: string, keys: Uint8Array[]): { checkpoint?: Checkpoint; error?: unknown } {
  let error: unknown;
  for (const key of keys) {
    try {
      return { checkpoint: verifyCheckpoint(note, ed25519Verifier(origin, key), origin) };
    } catch (e) {
      error = e;
    }
  }
  return { error };
}

/** The checkpoint note, under a trusted key and the log's origin, and as pack.json states it. */
async function checkCheckpoint(s: SectionCheck, state: LogStateJson): Promise<Checkpoint | undefined> {
  const cpFile = state.checkpointFile;
  try {
    const note = await readFile(join(s.dir, cpFile), "utf8");
    const { checkpoint: cp, error } = trustedCheckpoint(note, state.origin, s.trusted);
    if (!cp) throw error ?? new Error("no key to check it with");
    if (cp.size !== BigInt(state.checkpoint.size) || toBase64(cp.root) !== state.checkpoint.root) throw new Error("the signed size or root differs from pack.json");
    s.checks.pass("checkpoint", `${cpFile}: ${state.origin} size ${cp.size} signed by ${s.keyWords}`, cpFile);
    return cp;
  } catch (error) {
    s.checks.fail("checkpoint", `${cpFile}: ${(error as Error).message}`, cpFile);
    return undefined;
  }
}

/**
 * Every entry: payload, leaf and chain hashes; seqs gapless; recorded in the period. Then the
 * run is exactly the signed tree's leaves [firstSeq, endSeq). The leaves of the wanted seqs,
 * for their inclusion proofs.
 */
async function checkEventsAndRange(s: SectionCheck, state: LogStateJson, cp: Checkpoint, range: RangeJson, wanted: ReadonlySet<number>): Promise<Map<number, Uint8Array>> {
  const { checks, from, to } = s;
  const rangeFile = state.rangeFile;
  const leafOf = new Map<number, Uint8Array>();
  let eventsOk = true;
  let count = 0;
  let withheld = 0;
  // What a thrown error is blamed on: the range file's fields, then an events line, then the range proof.
  let stage: { check: CheckName; file: string } = { check: "range", file: rangeFile };
  try {
    const frontier = range.frontier.map((h) => b64(h));
    const acc = new RangeAccumulator(state.firstSeq, frontier);
    let chain = b64(range.chainBefore);
    let expected = state.firstSeq;
    let lastRecorded = "";
    const lines = createInterface({ input: createReadStream(join(s.dir, state.eventsFile)), crlfDelay: Infinity });
    let lineNumber = 0;
    stage = { check: "events", file: state.eventsFile };
    for await (const line of lines) {
      lineNumber++;
      const e = parseEntryLine(line, lineNumber);
      const where = `${state.eventsFile} line ${lineNumber} (seq ${e.seq})`;
      const problem =
        e.seq !== expected ? `seq ${e.seq}, want ${expected}: an entry is missing or out of place`
        : e.log !== state.origin ? `log ${e.log}, want ${state.origin}`
        // A format-2 payload opens its commitment instead (the erased check below).
        : e.v !== 2 && e.payload !== null && !digestEqual(payloadHash(e.payload), e.payloadHash) ? "the payload does not match its payload_hash"
        : !digestEqual(entryLeafHash(e), e.leafHash) ? "the entry does not match its leaf_hash"
        : !digestEqual((chain = chainHash(chain, e.leafHash)), e.chainHash) ? "chain_hash does not follow from the entry before"
        : e.recordedAt < from || e.recordedAt >= to ? `recorded_at ${e.recordedAt} is outside the period`
        : e.recordedAt < lastRecorded ? "recorded_at goes backwards"
        : undefined;
      if (problem) {
        checks.fail("events", `${where}: ${problem}`, state.eventsFile);
        eventsOk = false;
        break;
      }
      lastRecorded = e.recordedAt;
      acc.add(e.leafHash);
      if (e.payload === null) withheld++;
      const valueProblem = s.erasures.entry(state.name, e);
      if (valueProblem) checks.fail("erased", `${where}: ${valueProblem}`, state.eventsFile);
      s.onEntry?.(s.erasures.readable(state.name, e), state);
      if (wanted.has(e.seq)) leafOf.set(e.seq, e.leafHash);
      expected++;
      count++;
    }
    if (eventsOk && expected !== state.endSeq) {
      checks.fail("events", `${state.eventsFile} ends at seq ${expected - 1}, pack.json says ${state.endSeq - 1}`, state.eventsFile);
      eventsOk = false;
    }
    s.withheld.count += withheld;
    const withheldWords = withheld > 0 ? `; ${withheld} payload${withheld === 1 ? "" : "s"} withheld (null: the hash proves inclusion, the content is not shown)` : "";
    if (eventsOk) checks.pass("events", `${state.eventsFile}: ${count} entries, seq ${state.firstSeq} to ${state.endSeq - 1}, every hash recomputed${withheldWords}`, state.eventsFile);
    let after = "";
    if (eventsOk && state.afterPeriodFile !== undefined) {
      // The audit log's entries after the period, up to the checkpoint: the run then reaches its size itself.
      stage = { check: "events", file: state.afterPeriodFile };
      const count = await checkAfterPeriod(s, state, cp, acc, chain);
      after = `; ${state.afterPeriodFile}: the ${count} entries after it up to the checkpoint, every hash recomputed`;
    }
    if (eventsOk) {
      stage = { check: "range", file: rangeFile };
      acc.verify(cp.size, state.afterPeriodFile !== undefined ? [] : range.consistencyProof.map((h) => b64(h)), cp.root);
      // The neighbours: the entry before the run was recorded before the period, the one after it at or after its end.
      if (state.firstSeq > 0) checkWitness(range.before, state.firstSeq - 1, state.origin, cp, (at) => at < from, `recorded before ${from}`);
      if (BigInt(state.endSeq) < cp.size) checkWitness(range.after, state.endSeq, state.origin, cp, (at) => at >= to, `recorded at or after ${to}`);
      checks.pass("range", `${rangeFile}: the entries are leaves ${state.firstSeq} to ${state.endSeq - 1} of the signed tree of size ${cp.size}, none missing; ${state.firstSeq > 0 ? `entry ${state.firstSeq - 1} was recorded before the period` : "the period starts at the log's first entry"}, ${BigInt(state.endSeq) < cp.size ? `entry ${state.endSeq} after it` : "and it reaches the end of the signed tree"}${after}`, rangeFile);
    }
  } catch (error) {
    checks.fail(stage.check, `${stage.file}: ${(error as Error).message}`, stage.file);
  }
  return leafOf;
}

/** Inclusion proofs of the sampled entries (RFC 9162 §2.1.3.2). */
async function checkInclusion(s: SectionCheck, state: LogStateJson, cp: Checkpoint, wanted: ReadonlySet<number>, leafOf: ReadonlyMap<number, Uint8Array>): Promise<void> {
  let proved = 0;
  for (const seq of [...wanted].sort((a, b) => a - b)) {
    const file = `${state.inclusionPrefix}${seq}.json`;
    try {
      const p = JSON.parse(await readFile(join(s.dir, file), "utf8")) as { seq: number; size: number; leafHash: string; proof: string[] };
      if (p.seq !== seq || p.size !== Number(cp.size)) throw new Error(`proof for seq ${p.seq} at size ${p.size}, want seq ${seq} at the checkpoint size ${cp.size}`);
      const leaf = b64(p.leafHash);
      const mine = leafOf.get(seq);
      if (!mine || !digestEqual(mine, leaf)) throw new Error(`the proved leaf is not entry ${seq} of ${state.eventsFile}`);
      verifyInclusion(seq, p.size, leaf, p.proof.map((h) => b64(h)), cp.root);
      proved++;
    } catch (error) {
      s.checks.fail("inclusion", `${file}: ${(error as Error).message}`, file);
    }
  }
  if (wanted.size > 0 && proved === wanted.size) s.checks.pass("inclusion", `${state.inclusionDir}: ${proved} inclusion proofs of sampled entries of ${state.name} verify against its checkpoint`, state.inclusionDir);
}

/** Consistency with the previous pack's checkpoint (RFC 9162 §2.1.4.2). */
async function checkConsistency(s: SectionCheck, state: LogStateJson, cp: Checkpoint, file: string): Promise<void> {
  try {
    const p = JSON.parse(await readFile(join(s.dir, file), "utf8")) as { size1: number; size2: number; previousCheckpoint: string; proof: string[] };
    const prev = trustedCheckpoint(p.previousCheckpoint, state.origin, s.trusted).checkpoint;
    if (!prev) throw new Error("the previous checkpoint's signature does not verify");
    if (prev.size !== BigInt(p.size1) || cp.size !== BigInt(p.size2)) throw new Error("sizes differ from the checkpoints");
    verifyConsistency(p.size1, p.size2, p.proof.map((h) => b64(h)), prev.root, cp.root);
    s.checks.pass("consistency", `${file}: the previous pack's tree (size ${p.size1}) is a prefix of this one (size ${p.size2})`, file);
  } catch (error) {
    s.checks.fail("consistency", `${file}: ${(error as Error).message}`, file);
  }
}
