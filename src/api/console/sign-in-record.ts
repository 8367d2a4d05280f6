import { randomUUID } from "node:crypto";
import type { Principal } from "../principal.js";
import type { ReadRecorder } from "../read-log.js";

/** What a console session's start and end are recorded as, in the tenant's audit log. */
export type SessionOperation = "sso.signin" | "console.signin" | "console.signout";

/**
 * A console sign-in or sign-out, in the tenant's audit log beside the reads it leads to: a
 * `ledger.read` of no field naming the principal (PCI DSS 10.2.1.5: use of identification and
 * authentication mechanisms; 10.2.1.4: invalid access attempts; HIPAA 164.312(b)). A sign-in by
 * single sign-on is `sso.signin`, one with an API key `console.signin`; the end of either
 * `console.signout`.
 */
export function recordSessionEvent(recorder: Pick<ReadRecorder, "record">, principal: Principal, operation: SessionOperation, outcome: "success" | "failure", code?: string): void {
  recorder.record({
    requestId: randomUUID(), principal, at: new Date(), operation, fields: [], query: "", variables: null,
    rows: 0, outcome, ...(code ? { errors: [code] } : {}), transport: "http",
  });
}
