export type CheckName = "files" | "signature" | "checkpoint" | "events" | "range" | "inclusion" | "consistency" | "populations" | "manifest" | "timestamp" | "tlog-proof" | "witnesses";

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

/** The checks of one verification, in the order they were made. */
export class CheckList {
  readonly checks: Check[] = [];

  pass(check: CheckName, message: string, file?: string): void {
    this.checks.push({ check, ok: true, message, ...(file ? { file } : {}) });
  }

  fail(check: CheckName, message: string, file?: string): void {
    this.checks.push({ check, ok: false, message, ...(file ? { file } : {}) });
  }

  /** Verified when at least one check was made and every one passed. */
  result(packId: string | null): PackVerification {
    return { verified: this.checks.length > 0 && this.checks.every((c) => c.ok), packId, checks: this.checks };
  }
}
