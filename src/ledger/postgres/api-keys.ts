/**
 * API keys in the ledger database: made, looked up by the hash of their token, listed and
 * revoked (schema/api-keys.ts). The secret exists only in the value `createApiKey` returns.
 */
import { randomBytes } from "node:crypto";
import { apiTokenHash, apiTokenId, formatApiToken, type Scope } from "../../core/token/index.js";
import type { Sql } from "./db.js";
import { LedgerError } from "../errors.js";

export type { ApiKey } from "../records.js";
import type { ApiKey } from "../records.js";

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const COLUMNS = `id, tenant, name, scopes, created_at as "createdAt", revoked_at as "revokedAt"`;

export async function createApiKey(sql: Sql, options: { tenant: string; name?: string; scopes: Scope[] }): Promise<{ key: ApiKey; token: string }> {
  if (!TENANT.test(options.tenant)) throw new LedgerError("INVALID_INPUT", `tenant: got ${JSON.stringify(options.tenant)}, want letters, digits, . _ -`);
  const name = options.name ?? "";
  if (name.length > 128 || /[\u0000-\u001f]/.test(name)) throw new LedgerError("INVALID_INPUT", "key name: at most 128 characters, no control characters");
  if (options.scopes.length === 0) throw new LedgerError("INVALID_INPUT", "scopes: at least one is needed");
  const id = randomBytes(8).toString("hex");
  const token = formatApiToken(id, randomBytes(32));
  const [key] = await sql.unsafe<ApiKey[]>(
    `insert into api_keys (id, tenant, name, scopes, secret_hash) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    [id, options.tenant, name || id, options.scopes as unknown as string, Buffer.from(apiTokenHash(token))] as never[],
  );
  return { key: key!, token };
}

/** The live key a token belongs to; undefined for an unknown, malformed or revoked token. */
export async function findApiKeyByToken(sql: Sql, token: string): Promise<ApiKey | undefined> {
  const id = apiTokenId(token);
  if (id === undefined) return undefined;
  const [key] = await sql.unsafe<ApiKey[]>(
    `select ${COLUMNS} from api_keys where secret_hash = $1 and id = $2 and revoked_at is null`,
    [Buffer.from(apiTokenHash(token)), id] as never[],
  );
  return key;
}

export async function listApiKeys(sql: Sql, tenant?: string): Promise<ApiKey[]> {
  return tenant === undefined
    ? sql.unsafe<ApiKey[]>(`select ${COLUMNS} from api_keys order by tenant, created_at, id`)
    : sql.unsafe<ApiKey[]>(`select ${COLUMNS} from api_keys where tenant = $1 order by created_at, id`, [tenant]);
}

/** Revokes key `id` (already revoked: returned as it is). */
export async function revokeApiKey(sql: Sql, id: string): Promise<ApiKey> {
  if (!/^[0-9a-f]{16}$/.test(id)) throw new LedgerError("INVALID_INPUT", `api key id: got ${JSON.stringify(id)}, want 16 hex digits`);
  const [revoked] = await sql.unsafe<ApiKey[]>(
    `update api_keys set revoked_at = now() where id = $1 and revoked_at is null returning ${COLUMNS}`, [id]);
  if (revoked) return revoked;
  const [existing] = await sql.unsafe<ApiKey[]>(`select ${COLUMNS} from api_keys where id = $1`, [id]);
  if (!existing) throw new LedgerError("NOT_FOUND", `no api key with id ${id}`);
  return existing;
}

/** Which of `ids` are keys still live (not revoked): what open connections are checked against. */
export async function liveApiKeyIds(sql: Sql, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await sql.unsafe<{ id: string }[]>(`select id from api_keys where id = any($1::text[]) and revoked_at is null`, [ids as unknown as string] as never[]);
  return new Set(rows.map((r) => r.id));
}
