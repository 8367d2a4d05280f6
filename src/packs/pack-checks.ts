export type CheckName = "files" | "signature" | "checkpoint" | "events" | "range" | "inclusion" | "consistency" | "populations" | "manifest" | "timestamp" | "tlog-proof" | "witnesses" | "keys" | "sampling" | "derived" | "withheld" | "custody" | "attestations" | "erased";

export interface Check {
  check: CheckName;
  ok: boolean;
  file?: string;
  message: string;
}

/**
 * Two separate results. Integrity: the files agree with SHA256SUMS, with each other and with
 * the checkpoints, and every derived file follows from the entries. Authenticity: the
 * checkpoints are signed by keys the auditor trusts (given with --key); without such a key it
 * is unknown, since the pack's own key is held by whoever built it.
 */
export type Integrity = "verified" | "failed";
export type Authenticity = "verified" | "unknown" | "failed";

export interface PackVerification {
  /** Integrity and authenticity verified, and the witness policy (when given) met. */
  verified: boolean;
  integrity: Integrity;
  authenticity: Authenticity;
  packId: string | null;
  /** Entries whose payload the pack leaves out (null): their hashes still prove inclusion, but their content is not shown. */
  withheldPayloads: number;
  /** The pack hash and the signing key's fingerprint as computed here (pack-hash.ts); null when SHA256SUMS could not be read. */
  packHash: string | null;
  signingKey: string | null;
  /** Values of format-2 entries erased or expired, and the records that removed them; absent when no entry is of format 2. */
  erased?: { entries: number; values: number; records: { log: string; seq: number; kind: "erasure" | "expiry"; request: string | null; entries: number; values: number }[] };
  checks: Check[];
}

/** Checks that speak for authenticity (whose keys); every other check but the witnesses' speaks for integrity. */
const AUTHENTICITY: ReadonlySet<CheckName> = new Set(["keys", "checkpoint"]);

/** The checks of one verification, in the order they were made. */
export class CheckList {
  readonly checks: Check[] = [];

  pass(check: CheckName, message: string, file?: string): void {
    this.checks.push({ check, ok: true, message, ...(file ? { file } : {}) });
  }

  fail(check: CheckName, message: string, file?: string): void {
    this.checks.push({ check, ok: false, message, ...(file ? { file } : {}) });
  }

  /**
   * Integrity is verified when at least one check was made and every integrity check passed; a
   * checkpoint that fails stops its section's checks, so it fails integrity too. Authenticity
   * is unknown without trusted keys, whatever the checks say.
   */
  result(packId: string | null, o: { trustedKeys: boolean; withheldPayloads: number; packHash?: string; signingKey?: string }): PackVerification {
    const failed = (pick: (c: Check) => boolean) => this.checks.some((c) => !c.ok && pick(c));
    const integrity: Integrity = this.checks.length > 0 && !failed((c) => c.check !== "witnesses" && c.check !== "keys") ? "verified" : "failed";
    const authenticity: Authenticity = !o.trustedKeys ? "unknown" : failed((c) => AUTHENTICITY.has(c.check)) || integrity === "failed" && !this.checks.some((c) => c.ok && c.check === "checkpoint") ? "failed" : "verified";
    const verified = integrity === "verified" && authenticity === "verified" && !failed((c) => c.check === "witnesses");
    return { verified, integrity, authenticity, packId, withheldPayloads: o.withheldPayloads, packHash: o.packHash ?? null, signingKey: o.signingKey || null, checks: this.checks };
  }
}
