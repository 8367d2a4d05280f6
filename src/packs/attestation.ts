/**
 * Attested evidence (issue 19, item 1): where the ledger holds no evidence of a control (an
 * access review, say), the company attaches a file with `sealtrail attest`. The file's SHA-256,
 * size, media type and name, the control and framework, the principal, a note and the period it
 * covers are an `evidence.attestation` entry of the tenant's audit log; the bytes are kept in
 * the store by their hash (attest.ts). A pack carries every attestation for its framework whose
 * entry is in the audit section of the pack (recorded in the period) and whose stated period,
 * if any, overlaps the pack's: the file as `attestations/<sha256>-<name>`, and the entry's
 * inclusion proof. verify-pack re-derives the list from the audit entries (which the audit
 * log's checkpoint signs) and checks each file's bytes against the hash the entry commits to.
 *
 * Why the audit log: it is the tenant's own record of what was done to its evidence (reads,
 * pack builds, key changes), written only by sealtrail itself under a reserved name, and every
 * pack of the tenant carries its period — so an attestation reaches every pack that should
 * hold it, whichever subject logs the pack covers. Pure: the reading side, shared by the
 * builder and the verifier.
 */
import type { PackEntry } from "../core/pack/index.js";
import type { Attestation } from "./pack-model.js";

export const ATTESTATION_KIND = "evidence.attestation";
export const ATTESTATION_ACTION = "evidence.attest";
/** Where a pack carries the attested files. */
export const ATTESTATIONS_DIR = "attestations/";
/** Where it carries the entries recorded after its period, each with its inclusion proof: `<seq>.json`. */
export const LATE_ATTESTATIONS_DIR = `${ATTESTATIONS_DIR}recorded-after/`;
/**
 * The audit section's file of the audit log's entries after the period, up to its checkpoint:
 * payloads left out (null: the leaf commits to their hashes) but for evidence.attestation
 * entries', so that every attestation recorded after the period and before the checkpoint is
 * seen, and none can be left out unnoticed.
 */
export const AFTER_PERIOD_NAME = "after-period.jsonl";
/** The largest file that may be attested: a review export or a signed PDF, not a data dump (16 MiB; the table checks it too). */
export const MAX_ATTESTATION_BYTES = 16 * 1024 * 1024;
const MAX_NAME = 100;

/** What the ledger entry records; its canonical JSON is the entry's payload. */
export interface AttestationPayload {
  control: string;
  framework: string;
  file: { name: string; size: number; sha256: string; mediaType: string };
  note?: string;
  /** The period the evidence covers (an access review of a quarter), half-open, UTC. */
  period?: { from: string; to: string };
}

/**
 * A file name safe in every file system and archive: its last path segment, letters, digits,
 * `.`, `_` and `-` kept, anything else `_`, no leading dot, at most 100 characters.
 */
export function safeFileName(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? "";
  const plain = last.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "").slice(-MAX_NAME);
  return plain === "" ? "file" : plain;
}

/** Where a pack carries the file. */
export function attestationPackFile(sha256: string, name: string): string {
  return `${ATTESTATIONS_DIR}${sha256}-${safeFileName(name)}`;
}

const isText = (v: unknown): v is string => typeof v === "string" && v !== "";
const isInstant = (v: unknown): v is string => typeof v === "string" && !Number.isNaN(Date.parse(v));

/** The payload read from an entry's canonical JSON; undefined when it is not one (or was withheld). */
export function attestationPayloadOf(payload: string | null): AttestationPayload | undefined {
  if (payload === null) return undefined;
  let p: Partial<AttestationPayload> & { file?: Partial<AttestationPayload["file"]> };
  try {
    p = JSON.parse(payload) as typeof p;
  } catch {
    return undefined;
  }
  const f = p?.file;
  if (!isText(p?.control) || !isText(p.framework) || typeof f !== "object" || f === null) return undefined;
  if (!isText(f.name) || !Number.isSafeInteger(f.size) || f.size! < 0 || typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256) || !isText(f.mediaType)) return undefined;
  if (p.note !== undefined && typeof p.note !== "string") return undefined;
  if (p.period !== undefined && (!isInstant(p.period?.from) || !isInstant(p.period?.to))) return undefined;
  return p as AttestationPayload;
}

/**
 * The attestations of a pack of `framework` over [from, to) (docs/packs.md, "Attested
 * evidence"), found by one rule on both sides, builder and verifier:
 * - recorded in the period: every entry of the audit section, fed in seq order, whose stated
 *   period, if it states one, overlaps the pack's (evidence of another period is not evidence
 *   of this one);
 * - recorded after it (an access review of Q3 signed off in October): an entry of the audit
 *   log after the section whose stated period overlaps the pack's — it must state one, or it
 *   says nothing of this period — and which the audit section's checkpoint covers, so that its
 *   inclusion proof is against the checkpoint the pack is anchored at (attestation-files.ts
 *   writes them, attestation-late-check.ts and after-period-check.ts check them).
 */
export class AttestationFinder {
  readonly found: Attestation[] = [];
  /** The entries of those found, by seq (the builder writes their tlog-proofs). */
  readonly entries = new Map<number, PackEntry>();
  private readonly controls: ReadonlySet<string>;

  constructor(private readonly o: { framework: string; controls: readonly string[]; from: string; to: string }) {
    this.controls = new Set(o.controls);
  }

  /** The pack's period, half-open, as the request states it. */
  get period(): { from: string; to: string } {
    return { from: this.o.from, to: this.o.to };
  }

  /** One entry of the audit section (`inclusionDir`: where its inclusion proof goes). */
  add(e: PackEntry, logName: string, inclusionDir: string): void {
    const p = this.accepted(e, false);
    if (p) this.push(e, p, logName, `${inclusionDir}${e.seq}.json`);
  }

  /** Whether an entry recorded after the section is an attestation of this pack. */
  acceptsLate(e: PackEntry): boolean {
    return this.accepted(e, true) !== undefined;
  }

  /** An entry recorded after the section, accepted by acceptsLate, carried with its proof in `proofFile`. */
  addLate(e: PackEntry, logName: string, proofFile: string): void {
    const p = this.accepted(e, true);
    if (p) this.push(e, p, logName, proofFile, true);
  }

  private accepted(e: PackEntry, late: boolean): AttestationPayload | undefined {
    if (e.kind !== ATTESTATION_KIND || e.action !== ATTESTATION_ACTION) return undefined;
    const p = attestationPayloadOf(e.payload);
    if (!p || p.framework !== this.o.framework || !this.controls.has(p.control)) return undefined;
    if (late && !p.period) return undefined;
    if (p.period && !(Date.parse(p.period.from) < Date.parse(this.o.to) && Date.parse(p.period.to) > Date.parse(this.o.from))) return undefined;
    return p;
  }

  private push(e: PackEntry, p: AttestationPayload, logName: string, proofFile: string, late = false): void {
    this.found.push({
      controlId: p.control,
      framework: p.framework,
      logName,
      seq: e.seq,
      by: e.actor,
      recordedAt: e.recordedAt,
      file: { name: safeFileName(p.file.name), size: p.file.size, sha256: p.file.sha256, mediaType: p.file.mediaType },
      ...(p.note !== undefined ? { note: p.note } : {}),
      ...(p.period ? { period: { from: p.period.from, to: p.period.to } } : {}),
      ...(late ? { recordedAfterPeriod: true as const } : {}),
      packFile: attestationPackFile(p.file.sha256, p.file.name),
      proofFile,
    });
    this.entries.set(e.seq, e);
  }
}
