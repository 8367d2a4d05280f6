/** pack.json as verify-pack reads it: which logs, periods and checkpoints the pack claims. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface LogStateJson {
  role: string;
  name: string;
  origin: string;
  tenant?: string;
  firstSeq: number;
  endSeq: number;
  eventsFile: string;
  checkpointFile: string;
  rangeFile: string;
  inclusionDir: string;
  checkpoint: { size: number; root: string };
  previous: { size: number; proofFile: string } | null;
  /** Inclusion proofs are the files `<inclusionPrefix><seq>.json` (and `.tlog-proof`, in packs that have them). */
  inclusionPrefix: string;
  /** RFC 3161 token over checkpointFile; absent in packs built before time-stamps or without a TSA. */
  timestampFile?: string | null;
  /** The checkpoint with its witness cosignatures, when it had any. */
  cosignedFile?: string | null;
  /** The removal records of the section's erased values, with their inclusion proofs; absent when none. */
  erasureRecordsFile?: string;
  /** The audit section: the audit log's entries after the period up to its checkpoint (attestation.ts); absent in older packs. */
  afterPeriodFile?: string;
}

export type PackJson = {
  packId: string;
  /** The exporter whose controls the pack holds; the seed and sample size its samples were drawn with. */
  exporter?: { id: string; version: string };
  seed?: string;
  /** Where the seed comes from (sampling.ts); absent in packs built before it was stated. */
  sampling?: { seed: string; source: string; log: string | null; method: string };
  request: { from: string; to: string; logs: string[]; sampleSize?: number; failedLoginThreshold?: number; approvalTags?: string[] };
  ledger: LogStateJson[];
  /** The commands pack.json tells an auditor to run. */
  verify?: unknown[];
};

/**
 * Packs built before packs covered several logs had one subject log and a flat layout:
 * `checkpoint.txt`, `events.jsonl`, `proofs/range-<role>.json`,
 * `proofs/inclusion/<role>-<seq>.json`, a top-level `previous`, and `request.log`. Their
 * pack.json is read into the sections' shape, so such a pack verifies as it always did.
 */
function sectionsOfPack(raw: { packId?: unknown; exporter?: PackJson["exporter"]; seed?: string; sampling?: PackJson["sampling"]; request?: Record<string, unknown>; ledger?: unknown; previous?: unknown; verify?: unknown }): PackJson {
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
  return { packId: raw.packId as string, exporter: raw.exporter, seed: raw.seed, sampling: raw.sampling, request: { ...request, logs: flat ? [request.log] : request.logs } as PackJson["request"], ledger, ...(Array.isArray(raw.verify) ? { verify: raw.verify as unknown[] } : {}) };
}

/** pack.json, its sections checked against the request and the sealed files; throws what is wrong. */
export async function readPackJson(dir: string, listedPaths: ReadonlySet<string>): Promise<PackJson> {
  const pack = sectionsOfPack(JSON.parse(await readFile(join(dir, "pack.json"), "utf8")));
  if (typeof pack.packId !== "string" || !Array.isArray(pack.ledger) || !Array.isArray(pack.request?.logs)) throw new Error("missing packId, request.logs or ledger");
  // Every log asked for has its section, and no section claims a file SHA256SUMS does not cover:
  // pack.json names the files read below, and a name must not lead out of the sealed set.
  const sections = pack.ledger.filter((l) => l.role === "subject").map((l) => l.name);
  if (JSON.stringify(sections) !== JSON.stringify(pack.request.logs)) throw new Error(`sections for ${sections.join(", ") || "no log"}, want one per requested log (${pack.request.logs.join(", ")})`);
  for (const l of pack.ledger) {
    for (const f of [l.eventsFile, l.checkpointFile, l.rangeFile, ...(l.previous ? [l.previous.proofFile] : []), ...(l.erasureRecordsFile !== undefined ? [l.erasureRecordsFile] : []), ...(l.afterPeriodFile !== undefined ? [l.afterPeriodFile] : [])]) {
      if (!listedPaths.has(f)) throw new Error(`section ${l.name} names ${JSON.stringify(f)}, which SHA256SUMS does not list`);
    }
    if (typeof l.inclusionDir !== "string" || !l.inclusionDir.endsWith("/") || !l.inclusionDir.startsWith(l.rangeFile.slice(0, l.rangeFile.lastIndexOf("/") + 1))) throw new Error(`section ${l.name}: inclusionDir ${JSON.stringify(l.inclusionDir)} is not a directory of its section`);
  }
  // Sections must not share proofs: a file checked for one log is not counted for another.
  for (const l of pack.ledger) {
    if (pack.ledger.some((o) => o !== l && (o.inclusionPrefix.startsWith(l.inclusionPrefix) || l.inclusionPrefix.startsWith(o.inclusionPrefix)))) throw new Error(`section ${l.name}: its inclusion proofs share ${l.inclusionPrefix} with another section`);
  }
  return pack;
}
