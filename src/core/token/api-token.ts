/**
 * API tokens and scopes. A token is `sealtrail_<id>_<secret>`: the id (16 hex digits) names
 * the key in listings and in the ledger's read records, the secret is 32 random bytes in
 * base64url. Only SHA-256 of the whole token is stored (PCI DSS 8.3.2); with 256 random bits
 * a plain hash is enough, no slow KDF is needed (nothing to brute-force).
 */
import { CoreError } from "../errors.js";
import { sha256 } from "../encoding/index.js";

export const SCOPES = ["events:read", "proofs:read", "events:write", "packs:create", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

const TOKEN = /^sealtrail_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** The token for key `id` with 32 secret bytes. */
export function formatApiToken(id: string, secret: Uint8Array): string {
  if (!/^[0-9a-f]{16}$/.test(id)) throw new CoreError("INVALID_ARGUMENT", `api key id: got ${JSON.stringify(id)}, want 16 hex digits`);
  if (secret.length !== 32) throw new CoreError("INVALID_ARGUMENT", `api key secret: got ${secret.length} bytes, want 32`);
  return `sealtrail_${id}_${Buffer.from(secret).toString("base64url")}`;
}

/** The key id a token claims, or undefined when the text is not shaped like a token. */
export function apiTokenId(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

/** What the database stores and looks a token up by. */
export function apiTokenHash(token: string): Uint8Array {
  return sha256(token);
}

/** "events:read,proofs:read" → the scopes, each known, without repeats, in SCOPES order. */
export function parseScopes(text: string): Scope[] {
  const parts = text.split(",").map((part) => part.trim()).filter((part) => part !== "");
  if (parts.length === 0) throw new CoreError("INVALID_ARGUMENT", `scopes: none given, want some of ${SCOPES.join(", ")}`);
  for (const part of parts) {
    if (!(SCOPES as readonly string[]).includes(part)) throw new CoreError("INVALID_ARGUMENT", `scopes: unknown scope ${JSON.stringify(part)}, want some of ${SCOPES.join(", ")}`);
  }
  return SCOPES.filter((scope) => parts.includes(scope));
}

/** `admin` holds every scope. */
export function hasScope(held: readonly string[], wanted: Scope): boolean {
  return held.includes(wanted) || held.includes("admin");
}
