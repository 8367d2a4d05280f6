/**
 * The exporter plugin interface. An exporter names the framework and version it covers and
 * its controls: requirement id, our own one-line summary (never the standard's text), how the
 * control is tested, and which entries form its population. The pack builder computes every
 * population, sample, exception and result from those declarations; an exporter may also
 * render files of its own into the pack from a read-only view of the period.
 */
import type { PackEntry } from "../core/pack/index.js";
import type { PackModel } from "./pack-model.js";

/** Which log of the pack a clause reads: the requested log, or its tenant's audit log. */
export type PopulationLog = "subject" | "audit";

/** One clause of a population: entries of `log` matching every field given. */
export interface PopulationClause {
  log: PopulationLog;
  kinds?: readonly string[];
  actions?: readonly string[];
  outcome?: "success" | "failure";
  /** Entries carrying at least one of these tags. */
  tags?: readonly string[];
}

/** Kinds of exceptions the builder detects; a control lists those that count against it. */
export const EXCEPTION_KINDS = [
  /** A sweep in the period found tampering or could not run. */
  "failed-sweep",
  /** A UTC day of the period without any sweep of the log. */
  "sweep-gap",
  /** More failed logins by one actor in one UTC day than the threshold. */
  "failed-logins",
  /** A finished deployment without an approval tag. */
  "unapproved-deploy",
  /** An entry with an empty record field (PCI DSS 10.2.2). */
  "missing-field",
] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export interface ControlSpec {
  /** The framework's own requirement id (e.g. CC8.1, 10.2.1.3, 164.312(b)). */
  id: string;
  /** Our one-line summary. */
  summary: string;
  /** How the evidence is tested (shown in the control matrix). */
  method: string;
  /** Entries matching any clause. Empty for controls shown by the integrity attestation alone. */
  population: readonly PopulationClause[];
  /** The integrity attestation (checkpoint, range proof, sweeps) is evidence for this control. */
  attestation?: boolean;
  exceptions?: readonly ExceptionKind[];
  /** A mapping that is our judgement rather than the framework's, shown as such. */
  ours?: boolean;
}

/** Files an exporter adds: text only, under a directory named by the exporter's id. */
export interface PackFiles {
  writeText(path: string, text: string): Promise<void>;
}

/** What an exporter's render sees: the finished model, and the period's entries as packed (read-only). */
export interface PackView {
  readonly model: Readonly<PackModel>;
  /** The entries of the subject log (or the audit log) in the period, in seq order, streamed. */
  entries(log: PopulationLog): AsyncIterable<PackEntry>;
}

export interface Exporter {
  /** Lower-case id used on the command line and in the API (`soc2`, `pci-dss`). */
  id: string;
  framework: string;
  version: string;
  controls: readonly ControlSpec[];
  /** Optional extra files of the exporter's own, under `<id>/`. */
  render?(view: PackView, files: PackFiles): Promise<void>;
}
