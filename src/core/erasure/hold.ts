/**
 * Legal holds: what a hold covers of a log. All the conditions given must hold of an entry
 * (a period of occurred_at, actors, and a query of kinds, action, resource, source, tags); a
 * hold with none covers the whole log. Held entries are never erased or expired.
 */
import { CoreError } from "../errors.js";

export interface HoldScope {
  /** occurred_at ≥ from (RFC 3339). */
  from?: string;
  /** occurred_at < to (RFC 3339). */
  to?: string;
  actors?: string[];
  kinds?: string[];
  action?: string;
  resource?: string;
  source?: string;
  tags?: string[];
}

/** A hold as its record holds it. */
export interface LegalHold {
  id: string;
  scope: HoldScope;
  reason: string;
  /** The case or matter it serves. */
  matter?: string;
  createdBy: string;
  /** The seq of its record. */
  recordSeq: number;
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string" && s.length > 0);

/** A scope from outside (a command line, an API call): INVALID_ARGUMENT when malformed. */
export function checkHoldScope(scope: HoldScope): HoldScope {
  const out: HoldScope = {};
  for (const key of ["from", "to"] as const) {
    const v = scope[key];
    if (v === undefined) continue;
    if (typeof v !== "string" || Number.isNaN(Date.parse(v))) throw new CoreError("INVALID_ARGUMENT", `hold ${key}: got ${JSON.stringify(v)}, want an RFC 3339 time`);
    out[key] = new Date(v).toISOString();
  }
  if (out.from && out.to && out.from >= out.to) throw new CoreError("INVALID_ARGUMENT", "hold period: from must come before to");
  for (const key of ["actors", "kinds", "tags"] as const) {
    const v = scope[key];
    if (v === undefined) continue;
    if (!strings(v)) throw new CoreError("INVALID_ARGUMENT", `hold ${key}: want a non-empty list of non-empty strings`);
    out[key] = [...v];
  }
  for (const key of ["action", "resource", "source"] as const) {
    const v = scope[key];
    if (v === undefined) continue;
    if (typeof v !== "string" || v.length === 0) throw new CoreError("INVALID_ARGUMENT", `hold ${key}: want a non-empty string`);
    out[key] = v;
  }
  return out;
}

/** A hold's record payload read back; undefined when it is not one (a verifier reports tampering elsewhere). */
export function parseHold(payload: string, recordSeq: number): LegalHold | undefined {
  try {
    const o = JSON.parse(payload) as Record<string, unknown>;
    if (typeof o.hold !== "string" || typeof o.reason !== "string" || typeof o.created_by !== "string") return undefined;
    return {
      id: o.hold,
      scope: checkHoldScope((o.scope ?? {}) as HoldScope),
      reason: o.reason,
      ...(typeof o.matter === "string" ? { matter: o.matter } : {}),
      createdBy: o.created_by,
      recordSeq,
    };
  } catch {
    return undefined;
  }
}
