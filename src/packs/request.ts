/**
 * Checks and normalizes a pack request (from the CLI, the API or a queued job): every field
 * typed and in range, times as RFC 3339 UTC with milliseconds. Pure; INVALID_REQUEST otherwise.
 */
import { PackError } from "./pack-error.js";
import type { PackRequest, PackRequestInput } from "./pack-model.js";

export const DEFAULT_FAILED_LOGIN_THRESHOLD = 5;
export const DEFAULT_APPROVAL_TAGS = ["approved", "approval"] as const;
export const MAX_SAMPLE_SIZE = 1000;
/** Logs one pack covers at most: each is a section of its own, streamed in turn. */
export const MAX_PACK_LOGS = 20;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function invalid(message: string): PackError {
  return new PackError("INVALID_REQUEST", message);
}

export function parseInstant(name: string, value: unknown): string {
  if (typeof value !== "string" || !RFC3339.test(value)) throw invalid(`${name}: got ${JSON.stringify(value)}, want an RFC 3339 time with a zone (2026-01-31T00:00:00Z)`);
  const t = new Date(value);
  // Date rolls 2025-02-30 over to March: the calendar date written must exist as written.
  const [y, mo, d] = value.slice(0, 10).split("-").map(Number) as [number, number, number];
  const written = new Date(Date.UTC(y, mo - 1, d));
  const real = written.getUTCMonth() === mo - 1 && written.getUTCDate() === d && Number(value.slice(11, 13)) < 24 && Number(value.slice(14, 16)) < 60;
  if (!real || !Number.isFinite(t.getTime()) || t.getUTCFullYear() < 1900 || t.getUTCFullYear() > 2999) throw invalid(`${name}: got ${JSON.stringify(value)}, want a real time between 1900 and 2999`);
  return t.toISOString();
}

function text(name: string, value: unknown, max: number): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > max || /[\u0000-\u001f]/.test(value)) throw invalid(`${name}: want non-empty text of at most ${max} characters without control characters`);
  return value;
}

function count(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) throw invalid(`${name}: got ${JSON.stringify(value)}, want an integer from ${min} to ${max}`);
  return value;
}

/**
 * The subject logs: `logs`, or the single `log` of requests made before packs covered several
 * logs. Sorted by code unit, so the pack's layout and id do not depend on the order asked.
 */
export function checkLogs(r: { logs?: unknown; log?: unknown }): string[] {
  const given: unknown[] = r.logs !== undefined ? (Array.isArray(r.logs) ? r.logs : [r.logs]) : r.log !== undefined ? [r.log] : [];
  if (given.length === 0) throw invalid("logs: want at least one log");
  if (given.length > MAX_PACK_LOGS) throw invalid(`logs: got ${given.length}, want at most ${MAX_PACK_LOGS}`);
  const names = given.map((l, i) => text(`logs[${i}]`, l, 200));
  const seen = new Map<string, string>();
  for (const n of names) {
    const folded = seen.get(n.toLowerCase());
    if (folded === n) throw invalid(`logs: ${JSON.stringify(n)} is given twice`);
    // Each log is a directory of the pack: two names differing in case only would be one
    // directory once the archive is unpacked on a case-insensitive file system.
    if (folded !== undefined) throw invalid(`logs: ${JSON.stringify(folded)} and ${JSON.stringify(n)} differ only in case; pack them separately`);
    seen.set(n.toLowerCase(), n);
  }
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function checkRequest(r: PackRequestInput): PackRequest {
  const from = parseInstant("from", r.from);
  const to = parseInstant("to", r.to);
  if (Date.parse(from) >= Date.parse(to)) throw invalid(`period: from ${from} is not before to ${to}`);
  const approvalTags = Array.isArray(r.approvalTags) ? r.approvalTags.map((t, i) => text(`approvalTags[${i}]`, t, 100)) : [];
  if (approvalTags.length === 0) throw invalid("approvalTags: want at least one tag");
  return {
    framework: text("framework", r.framework, 64),
    logs: checkLogs(r),
    from,
    to,
    requestedBy: text("requestedBy", r.requestedBy, 200),
    requestedAt: parseInstant("requestedAt", r.requestedAt),
    ...(r.recipient !== undefined ? { recipient: text("recipient", r.recipient, 200) } : {}),
    ...(r.note !== undefined ? { note: text("note", r.note, 1000) } : {}),
    organisation: text("organisation", r.organisation, 200),
    scope: text("scope", r.scope, 1000),
    ...(r.seed !== undefined ? { seed: text("seed", r.seed, 200) } : {}),
    // Absent: each control's sample follows the sampling table (sampling.ts); given: the auditor's fixed size.
    ...(r.sampleSize !== undefined ? { sampleSize: count("sampleSize", r.sampleSize, 0, MAX_SAMPLE_SIZE) } : {}),
    failedLoginThreshold: count("failedLoginThreshold", r.failedLoginThreshold, 0, 1_000_000),
    approvalTags,
  };
}
