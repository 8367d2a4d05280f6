/**
 * Checks and normalizes a pack request (from the CLI, the API or a queued job): every field
 * typed and in range, times as RFC 3339 UTC with milliseconds. Pure; INVALID_REQUEST otherwise.
 */
import { PackError } from "./pack-error.js";
import type { PackRequest } from "./pack-model.js";

export const DEFAULT_SAMPLE_SIZE = 25;
export const DEFAULT_FAILED_LOGIN_THRESHOLD = 5;
export const DEFAULT_APPROVAL_TAGS = ["approved", "approval"] as const;
export const MAX_SAMPLE_SIZE = 1000;

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

export function checkRequest(r: PackRequest): PackRequest {
  const from = parseInstant("from", r.from);
  const to = parseInstant("to", r.to);
  if (Date.parse(from) >= Date.parse(to)) throw invalid(`period: from ${from} is not before to ${to}`);
  const approvalTags = Array.isArray(r.approvalTags) ? r.approvalTags.map((t, i) => text(`approvalTags[${i}]`, t, 100)) : [];
  if (approvalTags.length === 0) throw invalid("approvalTags: want at least one tag");
  return {
    framework: text("framework", r.framework, 64),
    log: text("log", r.log, 200),
    from,
    to,
    requestedBy: text("requestedBy", r.requestedBy, 200),
    requestedAt: parseInstant("requestedAt", r.requestedAt),
    organisation: text("organisation", r.organisation, 200),
    scope: text("scope", r.scope, 1000),
    ...(r.seed !== undefined ? { seed: text("seed", r.seed, 200) } : {}),
    sampleSize: count("sampleSize", r.sampleSize, 0, MAX_SAMPLE_SIZE),
    failedLoginThreshold: count("failedLoginThreshold", r.failedLoginThreshold, 0, 1_000_000),
    approvalTags,
  };
}
