/**
 * A control as an exporter declares it: its requirement id, our summary, how it is tested,
 * the clauses of its population and the exceptions that count against it. Apart from
 * exporter.ts so the pack model names controls without importing the plugin interface.
 */
import type { AttributeId } from "./attributes.js";
import type { ControlFrequency } from "./sampling.js";

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
  /** A hole in a tmux pane stream's chunk seqs within the period: captured output the ledger did not receive (sequence-gaps.ts). */
  "sequence-gap",
  /** More failed logins by one actor in any 24 hours (sliding) than the threshold. */
  "failed-logins",
  /** More failed logins from one source address, for several accounts, in any 24 hours than the threshold. */
  "failed-logins-source",
  /** Activity by an account after its removal (account.remove). */
  "removed-account",
  /** A finished deployment without an approval tag. */
  "unapproved-deploy",
  /** A configuration change without an approval tag. */
  "unapproved-change",
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
  /**
   * Entries that show the control operating (a review sign-off, an incident record): a
   * population of the events a control acts on is not evidence that it acted. Without one in
   * the period the control is "not tested", and the pack says what evidence it needs.
   */
  operation?: { clauses: readonly PopulationClause[]; needs: string };
  /**
   * How often the control operates, which sets its sample size by the sampling table
   * (sampling.ts). Default "many-times-daily": a population of events recorded as they happen.
   */
  frequency?: ControlFrequency;
  /**
   * What the test checks on every sampled item (attributes.ts): a failed attribute is a
   * deviation, and the control then has exceptions. Absent: the sample is only proved included.
   */
  attributes?: readonly AttributeId[];
  /** A mapping that is our judgement rather than the framework's, shown as such. */
  ours?: boolean;
}
