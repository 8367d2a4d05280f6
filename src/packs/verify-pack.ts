/**
 * Offline verification of a pack directory: what `sha256sum -c` and `openssl pkeyutl -verify`
 * check, and then what they cannot — the checkpoint's signature under a key the auditor
 * trusts, every entry re-hashed and chained, the range proof that the events are exactly the
 * signed tree's leaves for the period, each inclusion proof and the consistency proof from the
 * previous pack. Imports only the pure core: it needs no database and trusts nothing in the
 * pack but what it checks. Streams the events, so memory stays bounded.
 */
import { verify as cryptoVerify } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { verifyCheckpoint, type Checkpoint, publicKeyFromPem, publicKeyObject, ed25519Verifier } from "../core/note/index.js";
import { chainHash, entryLeafHash, payloadHash } from "../core/entry/index.js";
import { digestEqual, toBase64, toHex } from "../core/encoding/index.js";
import { verifyConsistency, verifyInclusion, RangeAccumulator } from "../core/merkle/index.js";
import { parseEntryLine, parseSha256Sums, SHA256SUMS_FILE, SIGNATURE_FILE, SIGNING_KEY_FILE } from "../core/pack/index.js";
import { b64, checkWitness, csvRecords, listFiles, sha256File, type Witness } from "./pack-reading.js";

export type CheckName = "files" | "signature" | "checkpoint" | "events" | "range" | "inclusion" | "consistency" | "populations" | "manifest";

export interface Check {
  check: CheckName;
  ok: boolean;
  file?: string;
  message: string;
}

export interface PackVerification {
  verified: boolean;
  packId: string | null;
  checks: Check[];
}

export interface VerifyPackOptions {
  /** Raw Ed25519 public keys the auditor trusts for checkpoints; else the pack's own key is used, and said so. */
  checkpointKeys?: Uint8Array[];
  /** Raw Ed25519 public key the pack must be signed with; else signing-key.pem in the pack, and said so. */
  packKey?: Uint8Array;
}

interface LogStateJson {
  role: string;
  name: string;
  origin: string;
  firstSeq: number;
  endSeq: number;
  eventsFile: string;
  checkpointFile: string;
  rangeFile: string;
  inclusionDir: string;
  checkpoint: { size: number; root: string };
  previous: { size: number; proofFile: string } | null;
  /** Inclusion proofs are the files `<inclusionPrefix><seq>.json`. */
  inclusionPrefix: string;
}

type PackJson = { packId: string; request: { from: string; to: string; logs: string[] }; ledger: LogStateJson[] };

/**
 * Packs built before packs covered several logs had one subject log and a flat layout:
 * `checkpoint.txt`, `events.jsonl`, `proofs/range-<role>.json`,
 * `proofs/inclusion/<role>-<seq>.json`, a top-level `previous`, and `request.log`. Their
 * pack.json is read into the sections' shape, so such a pack verifies as it always did.
 */
function sectionsOfPack(raw: { packId?: unknown; request?: Record<string, unknown>; ledger?: unknown; previous?: unknown }): PackJson {
  const request = raw.request ?? {};
  const flat = !Array.isArray(request.logs) && typeof request.log === "string";
  const states = (Array.isArray(raw.ledger) ? raw.ledger : []) as LogStateJson[];
  const ledger = states.map((l): LogStateJson => {
    if (!flat) return { ...l, inclusionPrefix: l.inclusionDir };
    const prefix = l.role === "subject" ? "" : `${l.role}/`;
    return {
      ...l,
      checkpointFile: `${prefix}checkpoint.txt`,
      rangeFile: `proofs/range-${l.role}.json`,
      inclusionDir: "proofs/inclusion/",
      inclusionPrefix: `proofs/inclusion/${l.role}-`,
      previous: l.role === "subject" ? ((raw.previous ?? null) as LogStateJson["previous"]) : null,
    };
  });
  return { packId: raw.packId as string, request: { ...request, logs: flat ? [request.log] : request.logs } as PackJson["request"], ledger };
}

const SEAL = new Set([SHA256SUMS_FILE, SIGNATURE_FILE, SIGNING_KEY_FILE]);

export async function verifyPack(dir: string, options: VerifyPackOptions = {}): Promise<PackVerification> {
  const checks: Check[] = [];
  const pass = (check: CheckName, message: string, file?: string) => checks.push({ check, ok: true, message, ...(file ? { file } : {}) });
  const fail = (check: CheckName, message: string, file?: string) => checks.push({ check, ok: false, message, ...(file ? { file } : {}) });
  const done = (packId: string | null): PackVerification => ({ verified: checks.length > 0 && checks.every((c) => c.ok), packId, checks });

  // 1. SHA256SUMS: every listed file present with its digest, nothing unlisted.
  let sumsText: string;
  try {
    sumsText = await readFile(join(dir, SHA256SUMS_FILE), "utf8");
  } catch (error) {
    fail("manifest", `cannot read ${SHA256SUMS_FILE}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, SHA256SUMS_FILE);
    return done(null);
  }
  let listed: { path: string; sha256: Uint8Array }[];
  try {
    listed = parseSha256Sums(sumsText);
  } catch (error) {
    fail("manifest", (error as Error).message, SHA256SUMS_FILE);
    return done(null);
  }
  const present = new Set(await listFiles(dir));
  let filesOk = true;
  for (const f of listed) {
    if (!present.has(f.path)) {
      fail("files", `${f.path} is listed in SHA256SUMS but missing`, f.path);
      filesOk = false;
      continue;
    }
    const got = await sha256File(join(dir, f.path));
    if (!digestEqual(got, f.sha256)) {
      fail("files", `${f.path}: SHA-256 ${toHex(got)}, SHA256SUMS says ${toHex(f.sha256)}`, f.path);
      filesOk = false;
    }
  }
  const listedPaths = new Set(listed.map((f) => f.path));
  for (const p of present) {
    if (!listedPaths.has(p) && !SEAL.has(p)) {
      fail("files", `${p} is in the pack but not in SHA256SUMS`, p);
      filesOk = false;
    }
  }
  if (filesOk) pass("files", `${listed.length} files match SHA256SUMS`);

  // 2. The signature over SHA256SUMS.
  let packKey: Uint8Array | undefined;
  try {
    const included = publicKeyFromPem(await readFile(join(dir, SIGNING_KEY_FILE), "utf8"));
    if (options.packKey && !digestEqual(options.packKey, included)) fail("signature", `${SIGNING_KEY_FILE} is not the pack key you trust`, SIGNING_KEY_FILE);
    packKey = options.packKey ?? included;
    const sig = await readFile(join(dir, SIGNATURE_FILE));
    const ok = sig.length === 64 && cryptoVerify(null, Buffer.from(sumsText, "utf8"), publicKeyObject(packKey), sig);
    if (ok) pass("signature", `${SIGNATURE_FILE} is a valid Ed25519 signature of SHA256SUMS by ${options.packKey ? "the trusted pack key" : `the key in ${SIGNING_KEY_FILE} (not pinned: give --pack-key to pin it)`}`);
    else fail("signature", `${SIGNATURE_FILE} is not a valid signature of SHA256SUMS by ${options.packKey ? "the trusted pack key" : SIGNING_KEY_FILE}`, SIGNATURE_FILE);
  } catch (error) {
    fail("signature", `cannot check the signature: ${(error as Error).message}`, SIGNATURE_FILE);
  }

  // 3. pack.json tells which logs, periods and checkpoints the pack claims.
  let pack: PackJson;
  try {
    pack = sectionsOfPack(JSON.parse(await readFile(join(dir, "pack.json"), "utf8")));
    if (typeof pack.packId !== "string" || !Array.isArray(pack.ledger) || !Array.isArray(pack.request?.logs)) throw new Error("missing packId, request.logs or ledger");
    // Every log asked for has its section, and no section claims a file SHA256SUMS does not cover:
    // pack.json names the files read below, and a name must not lead out of the sealed set.
    const sections = pack.ledger.filter((l) => l.role === "subject").map((l) => l.name);
    if (JSON.stringify(sections) !== JSON.stringify(pack.request.logs)) throw new Error(`sections for ${sections.join(", ") || "no log"}, want one per requested log (${pack.request.logs.join(", ")})`);
    for (const l of pack.ledger) {
      for (const f of [l.eventsFile, l.checkpointFile, l.rangeFile, ...(l.previous ? [l.previous.proofFile] : [])]) {
        if (!listedPaths.has(f)) throw new Error(`section ${l.name} names ${JSON.stringify(f)}, which SHA256SUMS does not list`);
      }
      if (typeof l.inclusionDir !== "string" || !l.inclusionDir.endsWith("/") || !l.inclusionDir.startsWith(l.rangeFile.slice(0, l.rangeFile.lastIndexOf("/") + 1))) throw new Error(`section ${l.name}: inclusionDir ${JSON.stringify(l.inclusionDir)} is not a directory of its section`);
    }
    // Sections must not share proofs: a file checked for one log is not counted for another.
    for (const l of pack.ledger) {
      if (pack.ledger.some((o) => o !== l && (o.inclusionPrefix.startsWith(l.inclusionPrefix) || l.inclusionPrefix.startsWith(o.inclusionPrefix)))) throw new Error(`section ${l.name}: its inclusion proofs share ${l.inclusionPrefix} with another section`);
    }
  } catch (error) {
    fail("manifest", `pack.json: ${(error as Error).message}`, "pack.json");
    return done(null);
  }
  const trusted = options.checkpointKeys && options.checkpointKeys.length > 0 ? options.checkpointKeys : packKey ? [packKey] : [];
  const keyWords = options.checkpointKeys?.length ? "a trusted verifier key" : "the pack's own key (not independent: give --key with the log's verifier key)";
  const from = pack.request.from;
  const to = pack.request.to;

  for (const state of pack.ledger) {
    const cpFile = state.checkpointFile;
    // 4. The checkpoint note, under a trusted key and the log's origin.
    let cp: Checkpoint | undefined;
    try {
      const note = await readFile(join(dir, cpFile), "utf8");
      let lastError: unknown;
      for (const key of trusted) {
        try {
          cp = verifyCheckpoint(note, ed25519Verifier(state.origin, key), state.origin);
          break;
        } catch (error) {
          lastError = error;
        }
      }
      if (!cp) throw lastError ?? new Error("no key to check it with");
      if (cp.size !== BigInt(state.checkpoint.size) || toBase64(cp.root) !== state.checkpoint.root) throw new Error("the signed size or root differs from pack.json");
      pass("checkpoint", `${cpFile}: ${state.origin} size ${cp.size} signed by ${keyWords}`, cpFile);
    } catch (error) {
      fail("checkpoint", `${cpFile}: ${(error as Error).message}`, cpFile);
      continue;
    }

    // 5. Every entry: payload, leaf and chain hashes; seqs gapless; recorded in the period.
    const rangeFile = state.rangeFile;
    let range: { firstSeq: number; endSeq: number; checkpointSize: number; frontier: string[]; consistencyProof: string[]; chainBefore: string; before: Witness | null; after: Witness | null };
    try {
      range = JSON.parse(await readFile(join(dir, rangeFile), "utf8"));
    } catch (error) {
      fail("range", `${rangeFile}: ${(error as Error).message}`, rangeFile);
      continue;
    }
    const inclusionDir = state.inclusionDir;
    const inclusionPrefix = state.inclusionPrefix;
    // Every proof file of the section is checked: a proof cannot be slipped in unchecked.
    const wanted = new Set<number>();
    for (const p of [...present].filter((f) => f.startsWith(inclusionPrefix))) {
      const m = /^(0|[1-9]\d{0,14})\.json$/.exec(p.slice(inclusionPrefix.length));
      if (m) wanted.add(Number(m[1]));
      else fail("inclusion", `${p} is not named <seq>.json: not a proof of this section`, p);
    }
    const leafOf = new Map<number, Uint8Array>();
    let eventsOk = true;
    let count = 0;
    // What a thrown error is blamed on: the range file's fields, then an events line, then the range proof.
    let stage: { check: CheckName; file: string } = { check: "range", file: rangeFile };
    try {
      const frontier = range.frontier.map((h) => b64(h));
      const acc = new RangeAccumulator(state.firstSeq, frontier);
      let chain = b64(range.chainBefore);
      let expected = state.firstSeq;
      let lastRecorded = "";
      const lines = createInterface({ input: createReadStream(join(dir, state.eventsFile)), crlfDelay: Infinity });
      let lineNumber = 0;
      stage = { check: "events", file: state.eventsFile };
      for await (const line of lines) {
        lineNumber++;
        const e = parseEntryLine(line, lineNumber);
        const where = `${state.eventsFile} line ${lineNumber} (seq ${e.seq})`;
        const problem =
          e.seq !== expected ? `seq ${e.seq}, want ${expected}: an entry is missing or out of place`
          : e.log !== state.origin ? `log ${e.log}, want ${state.origin}`
          : e.payload !== null && !digestEqual(payloadHash(e.payload), e.payloadHash) ? "the payload does not match its payload_hash"
          : !digestEqual(entryLeafHash(e), e.leafHash) ? "the entry does not match its leaf_hash"
          : !digestEqual((chain = chainHash(chain, e.leafHash)), e.chainHash) ? "chain_hash does not follow from the entry before"
          : e.recordedAt < from || e.recordedAt >= to ? `recorded_at ${e.recordedAt} is outside the period`
          : e.recordedAt < lastRecorded ? "recorded_at goes backwards"
          : undefined;
        if (problem) {
          fail("events", `${where}: ${problem}`, state.eventsFile);
          eventsOk = false;
          break;
        }
        lastRecorded = e.recordedAt;
        acc.add(e.leafHash);
        if (wanted.has(e.seq)) leafOf.set(e.seq, e.leafHash);
        expected++;
        count++;
      }
      if (eventsOk && expected !== state.endSeq) {
        fail("events", `${state.eventsFile} ends at seq ${expected - 1}, pack.json says ${state.endSeq - 1}`, state.eventsFile);
        eventsOk = false;
      }
      if (eventsOk) pass("events", `${state.eventsFile}: ${count} entries, seq ${state.firstSeq} to ${state.endSeq - 1}, every hash recomputed`, state.eventsFile);
      // 6. The run is exactly the signed tree's leaves [firstSeq, endSeq).
      if (eventsOk) {
        stage = { check: "range", file: rangeFile };
        acc.verify(cp.size, range.consistencyProof.map((h) => b64(h)), cp.root);
        // The neighbours: the entry before the run was recorded before the period, the one after it at or after its end.
        if (state.firstSeq > 0) checkWitness(range.before, state.firstSeq - 1, state.origin, cp, (at) => at < from, `recorded before ${from}`);
        if (BigInt(state.endSeq) < cp.size) checkWitness(range.after, state.endSeq, state.origin, cp, (at) => at >= to, `recorded at or after ${to}`);
        pass("range", `${rangeFile}: the entries are leaves ${state.firstSeq} to ${state.endSeq - 1} of the signed tree of size ${cp.size}, none missing; ${state.firstSeq > 0 ? `entry ${state.firstSeq - 1} was recorded before the period` : "the period starts at the log's first entry"}, ${BigInt(state.endSeq) < cp.size ? `entry ${state.endSeq} after it` : "and it reaches the end of the signed tree"}`, rangeFile);
      }
    } catch (error) {
      fail(stage.check, `${stage.file}: ${(error as Error).message}`, stage.file);
    }

    // 7. Inclusion proofs of the sampled entries.
    let proved = 0;
    for (const seq of [...wanted].sort((a, b) => a - b)) {
      const file = `${inclusionPrefix}${seq}.json`;
      try {
        const p = JSON.parse(await readFile(join(dir, file), "utf8")) as { seq: number; size: number; leafHash: string; proof: string[] };
        if (p.seq !== seq || p.size !== Number(cp.size)) throw new Error(`proof for seq ${p.seq} at size ${p.size}, want seq ${seq} at the checkpoint size ${cp.size}`);
        const leaf = b64(p.leafHash);
        const mine = leafOf.get(seq);
        if (!mine || !digestEqual(mine, leaf)) throw new Error(`the proved leaf is not entry ${seq} of ${state.eventsFile}`);
        verifyInclusion(seq, p.size, leaf, p.proof.map((h) => b64(h)), cp.root);
        proved++;
      } catch (error) {
        fail("inclusion", `${file}: ${(error as Error).message}`, file);
      }
    }
    if (wanted.size > 0 && proved === wanted.size) pass("inclusion", `${inclusionDir}: ${proved} inclusion proofs of sampled entries of ${state.name} verify against its checkpoint`, inclusionDir);

    // 8. Consistency with the previous pack's checkpoint.
    if (state.role === "subject" && state.previous) {
      const file = state.previous.proofFile;
      try {
        const p = JSON.parse(await readFile(join(dir, file), "utf8")) as { size1: number; size2: number; previousCheckpoint: string; proof: string[] };
        let prev: Checkpoint | undefined;
        for (const key of trusted) {
          try {
            prev = verifyCheckpoint(p.previousCheckpoint, ed25519Verifier(state.origin, key), state.origin);
            break;
          } catch {
            // Try the next trusted key.
          }
        }
        if (!prev) throw new Error("the previous checkpoint's signature does not verify");
        if (prev.size !== BigInt(p.size1) || cp.size !== BigInt(p.size2)) throw new Error("sizes differ from the checkpoints");
        verifyConsistency(p.size1, p.size2, p.proof.map((h) => b64(h)), prev.root, cp.root);
        pass("consistency", `${file}: the previous pack's tree (size ${p.size1}) is a prefix of this one (size ${p.size2})`, file);
      } catch (error) {
        fail("consistency", `${file}: ${(error as Error).message}`, file);
      }
    }
  }

  // 9. Population files hold the counts controls.json states.
  try {
    const controls = JSON.parse(await readFile(join(dir, "controls.json"), "utf8")) as { controls: { id: string; population: { file: string; count: number; sha256: string } | null }[] };
    let ok = true;
    for (const c of controls.controls) {
      if (!c.population) continue;
      const { records, digest } = await csvRecords(join(dir, c.population.file));
      const rows = records - 1; // the header
      if (rows !== c.population.count || digest !== c.population.sha256) {
        fail("populations", `${c.population.file}: ${rows} rows, controls.json says ${c.population.count} (or its SHA-256 differs)`, c.population.file);
        ok = false;
      }
    }
    if (ok) pass("populations", "every population file has the row count and SHA-256 that controls.json states");
  } catch (error) {
    fail("populations", `controls.json: ${(error as Error).message}`, "controls.json");
  }
  return done(pack.packId);
}
