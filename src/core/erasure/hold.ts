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

/** What a hold's scope is matched against: an entry's clear fields (actor and resource may be gone). */
export interface HoldSubject {
  /** RFC 3339, as the leaf has it. */
  occurredAt: string;
  kind: string;
  action: string;
  source: string;
  tags: readonly string[];
  actor?: string;
  resource?: string;
}

/**
 * Whether `scope` covers an entry, as the ledger's query for the main tables decides it
 * (postgres/erasure-reads.ts heldSeqs): every condition given holds; tags: the entry has all.
 * Used for entries read from the archive.
 */
export function holdCovers(scope: HoldScope, e: HoldSubject): boolean {
  const at = Date.parse(e.occurredAt);
  if (scope.from !== undefined && !(at >= Date.parse(scope.from))) return false;
  if (scope.to !== undefined && !(at < Date.parse(scope.to))) return false;
  if (scope.actors && (e.actor === undefined || !scope.actors.includes(e.actor))) return false;
  if (scope.resource !== undefined && e.resource !== scope.resource) return false;
  if (scope.kinds && !scope.kinds.includes(e.kind)) return false;
  if (scope.action !== undefined && e.action !== scope.action) return false;
  if (scope.source !== undefined && e.source !== scope.source) return false;
  if (scope.tags && !scope.tags.every((t) => e.tags.includes(t))) return false;
  return true;
}
