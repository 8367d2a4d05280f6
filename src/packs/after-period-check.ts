/**
 * The audit section's entries after the period (attestation.ts, AFTER_PERIOD_NAME): they go
 * on from the section's last entry, seqs gapless, each re-hashed and chained, recorded at or
 * after the period's end, up to the checkpoint's size, and their leaves appended to the
 * section's run make the checkpoint's root itself (RFC 9162 §2.1.1): every entry the
 * checkpoint holds after the period is here. Payloads are shown only for evidence.attestation
 * entries, as the builder writes them, so every attestation recorded after the period and
 * before the checkpoint is seen. Pure but for reading the pack's files.
 */
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { digestEqual } from "../core/encoding/index.js";
import { chainHash, entryLeafHash, payloadHash } from "../core/entry/index.js";
import type { RangeAccumulator } from "../core/merkle/index.js";
import type { Checkpoint } from "../core/note/index.js";
import { parseEntryLine } from "../core/pack/index.js";
import { ATTESTATION_KIND } from "./attestation.js";
import type { LogStateJson } from "./pack-manifest.js";
import type { SectionCheck } from "./section-check.js";

/** Appends the file's leaves to `acc` (the section's run, ending at endSeq); throws what is wrong. Gives how many entries it holds. */
export async function checkAfterPeriod(s: SectionCheck, state: LogStateJson, cp: Checkpoint, acc: RangeAccumulator, chainAfter: Uint8Array): Promise<number> {
  const file = state.afterPeriodFile!;
  let chain = chainAfter;
  let expected = state.endSeq;
  let lastRecorded = "";
  const to = Date.parse(s.to);
  const lines = createInterface({ input: createReadStream(join(s.dir, file)), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    const e = parseEntryLine(line, lineNumber);
    const problem =
      e.seq !== expected ? `seq ${e.seq}, want ${expected}: an entry is missing or out of place`
      : BigInt(e.seq) >= cp.size ? `seq ${e.seq} is past the checkpoint's size ${cp.size}`
      : e.log !== state.origin ? `log ${e.log}, want ${state.origin}`
      : e.payload !== null && e.kind !== ATTESTATION_KIND ? `a ${e.kind} entry's payload is shown; only attestations' are`
      : e.payload !== null && !digestEqual(payloadHash(e.payload), e.payloadHash) ? "the payload does not match its payload_hash"
      : !digestEqual(entryLeafHash(e), e.leafHash) ? "the entry does not match its leaf_hash"
      : !digestEqual((chain = chainHash(chain, e.leafHash)), e.chainHash) ? "chain_hash does not follow from the entry before"
      : !(Date.parse(e.recordedAt) >= to) ? `recorded_at ${e.recordedAt} is before the period's end`
      : e.recordedAt < lastRecorded ? "recorded_at goes backwards"
      : undefined;
    if (problem) throw new Error(`line ${lineNumber} (seq ${e.seq}): ${problem}`);
    lastRecorded = e.recordedAt;
    acc.add(e.leafHash);
    if (e.kind === ATTESTATION_KIND) s.onAfterPeriod?.(e, state);
    expected++;
  }
  if (BigInt(expected) !== cp.size) throw new Error(`ends at seq ${expected - 1}, the checkpoint's size is ${cp.size}: entries after the period are missing`);
  return expected - state.endSeq;
}
