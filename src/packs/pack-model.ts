/**
 * What a pack says, as data: the request, the ledger state it was built from, and every
 * computed result. The PDF, `pack.json`, `controls.json` and the OSCAL document are renderings
 * of this one model, so they cannot disagree.
 */
import type { ErasureSummary } from "./erasures.js";
import type { AttributeResult } from "./attributes.js";
import type { ControlFrequency, Sampling } from "./sampling.js";
import type { WithheldPayload } from "./secrets.js";
import type { Reconciliation } from "./sequence-gaps.js";
import type { ControlSpec, ExceptionKind, PopulationClause, PopulationLog } from "./control-spec.js";

/** "attested": the ledger holds none of the control's evidence, and a file attested for it (attestation.ts) is the evidence the auditor inspects (results.ts). */
export const CONTROL_RESULTS = ["satisfied", "exceptions", "attested", "not tested"] as const;
export type ControlResult = (typeof CONTROL_RESULTS)[number];

export interface PackRequest {
  framework: string;
  /** The subject logs, all of one tenant: distinct names, sorted (checkRequest sorts them). */
  logs: readonly string[];
  /** Period of the ledger clock (recorded_at), half-open [from, to), UTC. */
  from: string;
  to: string;
  /** The authenticated principal: an API key (api_key:ID (name)) or the CLI's operator (cli:user@host); never free text. */
  requestedBy: string;
  requestedAt: string;
  /** Who the pack is for (custody), when named. */
  recipient?: string;
  /** Free text the requester adds (who they act for, a ticket), kept apart from the principal. */
  note?: string;
  organisation: string;
  /** The system boundary in words. */
  scope: string;
  /** The auditor's seed of the samples (default: the root of a checkpoint signed after the period, sampling.ts). */
  seed?: string;
  /** The auditor's fixed sample size per control; absent, each control's follows the sampling table by its frequency. */
  sampleSize?: number;
  /** Failed logins by one actor in one UTC day above this are an exception. */
  failedLoginThreshold: number;
  /** Tags that mark a deployment as approved (a tag equal to one, or starting with it and ":"). */
  approvalTags: readonly string[];
}

/** A request as it may arrive: jobs queued before packs covered several logs carry `log`. */
export type PackRequestInput = Omit<PackRequest, "logs"> & { logs?: readonly string[]; log?: string };

export interface LogState {
  role: PopulationLog;
  name: string;
  /** The log's section of the pack: the directory holding its events, checkpoint and proofs. */
  dir: string;
  checkpointFile: string;
  rangeFile: string;
  /** Inclusion proofs of this log's sampled entries: `<inclusionDir><seq>.json`. */
  inclusionDir: string;
  origin: string;
  tenant: string;
  /** The period's entries are seqs [firstSeq, endSeq). */
  firstSeq: number;
  endSeq: number;
  /** The signed checkpoint covering the period. */
  checkpoint: { size: number; root: string; note: string };
  /** Chain hash before firstSeq and of endSeq - 1 (hex). */
  chainBefore: string;
  chainAfter: string;
  /** The entries just outside the period proved in the range file (null when there is none to prove). */
  beforeSeq: number | null;
  afterSeq: number | null;
  /** SHA-256 of its events file (hex). */
  eventsSha256: string;
  eventsFile: string;
  /** The previous pack of this (subject) log, when there is one, and the consistency proof file. */
  previous: { packId: string; size: number; root: string; proofFile: string } | null;
  /** The checkpoint with its witness cosignatures (C2SP tlog-cosignature), when it has any. */
  cosignedFile: string | null;
  /** The RFC 3161 time-stamp token over checkpointFile, when the checkpoint was stamped. */
  timestampFile: string | null;
  /** The audit section: the audit log's entries after the period up to its checkpoint (attestation.ts), when there are any. */
  afterPeriodFile?: string;
  /** A format-2 log's removal records of the period's erased values, with their proofs (erasure-records.ts); absent when none. */
  erasureRecordsFile?: string;
}

export interface SampleEntry {
  log: PopulationLog;
  /** The log's name (several subject logs share the role). */
  logName: string;
  seq: number;
  rank: string;
  kind: string;
  action: string;
  actor: string;
  occurredAt: string;
  outcome: string;
  /** Its inclusion proof in the pack. */
  proofFile: string;
  /** The control's attributes tested on this entry (attributes.ts), in the order the control lists them. */
  attributes: Record<string, AttributeResult>;
}

export interface Population {
  controlId: string;
  file: string;
  /** The population's definition as SQL over the entries table, and its parameters. */
  query: string;
  parameters: Record<string, unknown>;
  clauses: readonly PopulationClause[];
  count: number;
  sha256: string;
  /** How many entries were sampled and why that many (sampling.ts). */
  sampling: { frequency: ControlFrequency; size: number; basis: string };
  sample: SampleEntry[];
}

export interface PackException {
  id: string;
  kind: ExceptionKind;
  controls: string[];
  log: PopulationLog;
  /** The log whose entries show it (the audit log for a failed sweep); for a sweep gap, the log left unswept. */
  logName: string;
  /** Seqs of the entries that show it (empty for a gap). */
  seqs: number[];
  day?: string;
  description: string;
  remediation: string;
  /** Workpaper fields management completes; the ledger does not record them, and the pack says so. */
  rootCause: string;
  managementResponse: string;
}

/**
 * A file the company attested for a control (`sealtrail attest`): a sealtrail.attestation
 * entry of the tenant's audit log in the period names the control and the file's SHA-256, and
 * the pack carries the file and the entry's inclusion proof (attestation.ts).
 */
export interface Attestation {
  controlId: string;
  framework: string;
  /** The audit log holding the entry, and its seq. */
  logName: string;
  seq: number;
  /** The principal that attested (the entry's actor). */
  by: string;
  recordedAt: string;
  /** The file as attested: its name (safe as a path, attestation.ts), size, SHA-256 (hex) and media type. */
  file: { name: string; size: number; sha256: string; mediaType: string };
  note?: string;
  /** The period the evidence covers, as attested; it overlaps the pack's. */
  period?: { from: string; to: string };
  /**
   * Recorded after the pack's period (a review of the period signed off later), before the audit
   * checkpoint the pack is anchored at: proofFile then holds the entry itself and its inclusion proof.
   */
  recordedAfterPeriod?: true;
  /** Where the pack carries the file: attestations/<sha256>-<name>. */
  packFile: string;
  /** The entry's inclusion proof in the audit section's checkpoint. */
  proofFile: string;
}

export interface ControlOutcome {
  spec: ControlSpec;
  result: ControlResult;
  /** Why the result is what it is, in a sentence (for "not tested": the evidence it needs). */
  reason: string;
  /** Entries of the period showing the control operating, when the control declares what they are. */
  operation?: { needs: string; count: number };
  /** The attestations recorded for it in the period, which evidence it when the ledger holds no other. */
  attestations?: Attestation[];
  population: Population | undefined;
  exceptionIds: string[];
  evidence: string[];
}

export interface SweepSummary {
  /** The subject log swept. */
  log: string;
  seq: number;
  at: string;
  result: string;
  toSize: number | null;
  firstBadSeq: number | null;
  tamperClass: string | null;
}

export interface PackModel {
  packId: string;
  generator: { name: string; version: string };
  exporter: { id: string; framework: string; version: string };
  request: PackRequest;
  seed: string;
  /** Where the seed comes from and the sampling method, as the pack states them. */
  sampling: Sampling;
  /** The subject logs sorted by name, then the tenant's audit log when there is one. */
  logs: LogState[];
  controls: ControlOutcome[];
  exceptions: PackException[];
  sweeps: SweepSummary[];
  /** Entries per UTC day and kind, over every subject log. */
  perDay: { day: string; counts: Record<string, number>; signals: Partial<Record<"logins" | "failedLogins" | "approvedChanges" | "unapprovedChanges" | "sessions", number>> }[];
  /** Entries recorded in the period (ledger clock) that occurred before it: the period basis is the recording time, so these belong here; the first ones listed. */
  lateArrivals: { count: number; first: { log: string; seq: number; occurredAt: string; recordedAt: string }[] };
  /** entries: of every subject log; perLog: of each subject log by name. */
  totals: { entries: number; perLog: Record<string, number>; auditEntries: number; byKind: Record<string, number> };
  /** Payloads left out of the events (secrets.ts), in the events' order: subject logs by name, then the audit log. */
  withheld?: WithheldPayload[];
  /** Values of format-2 entries erased or expired, and the records that removed them (erasures.json); absent when no entry is of format 2. */
  erasures?: ErasureSummary;
  /** Files attested for this framework's controls in the period, each carried in the pack (absent in packs built before attestations). */
  attestations?: Attestation[];
  /** SHA256SUMS is time-stamped (SHA256SUMS.tsr, RFC 3161): the pack was built with a TSA. */
  sumsTimeStamped?: boolean;
  /** Entries per source and the chunk sequences of tmux capture with their gaps (reconciliation.json); absent in packs built before it. */
  reconciliation?: Reconciliation;
  /** The fingerprint of the key that seals the pack (pack-hash.ts); absent in packs built before it was stated. */
  signingKey?: string;
}
