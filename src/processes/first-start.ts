/**
 * What `sealtrail up` does before serving: migrate (every start: it is idempotent and takes
 * the migration lock), and, the first time only, generate the signing key in the state
 * directory, create the default tenant's logs and an admin API key whose token is shown once.
 * Later starts find all of it and reuse it.
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { publicKeyToPem, rawPublicKey, vkeyString } from "../core/note/index.js";
import { NEW_LOG_LEAF_VERSION } from "../core/entry/index.js";
import { SCOPES } from "../core/token/index.js";
import { PostgresLedgerStore } from "../ledger/postgres/postgres-store.js";
import { migrateLedger } from "../ledger/postgres/migrate.js";

export const DEFAULT_TENANT = "default";
/** `events` for the sources, `tmux` for `sealtrail tmux attach` (its default log). */
export const DEFAULT_LOGS = ["events", "tmux"] as const;
export const ADMIN_KEY_NAME = "up-admin";

export interface FirstStart {
  /** The signing key was made by this start. */
  keyCreated: boolean;
  logsCreated: string[];
  /** The admin API token, when this start made the key (it is never stored). */
  adminToken: string | undefined;
}

export async function prepareLedger(options: { url: string; schema: string; rolePrefix?: string | undefined; keysDir: string; keyName: string; originPrefix: string }): Promise<FirstStart> {
  await migrateLedger(options.url, options.schema, { rolePrefix: options.rolePrefix });
  const keyCreated = await ensureSigningKey(options.keysDir, options.keyName);
  // Logs are written as the writer role, as `log create` does; API keys by the login role, as `keys api create` does.
  const store = PostgresLedgerStore.open({ url: options.url, schema: options.schema, rolePrefix: options.rolePrefix, max: 1, role: "writer", applicationName: "sealtrail-up" });
  const admin = PostgresLedgerStore.open({ url: options.url, schema: options.schema, rolePrefix: options.rolePrefix, max: 1, applicationName: "sealtrail-up" });
  try {
    const existing = new Set((await store.listLogs()).map((log) => log.name));
    const logsCreated: string[] = [];
    for (const name of DEFAULT_LOGS) {
      if (existing.has(name)) continue;
      await store.createLog(name, { tenant: DEFAULT_TENANT, origin: `${options.originPrefix}/${name}`, leafVersion: NEW_LOG_LEAF_VERSION });
      logsCreated.push(name);
    }
    const keys = await admin.listApiKeys(DEFAULT_TENANT);
    const adminToken = keys.some((k) => k.name === ADMIN_KEY_NAME)
      ? undefined
      : (await admin.createApiKey({ tenant: DEFAULT_TENANT, name: ADMIN_KEY_NAME, scopes: [...SCOPES] })).token;
    return { keyCreated, logsCreated, adminToken };
  } finally {
    await Promise.all([store.close(5), admin.close(5)]);
  }
}

/** signing-key.pem (0600), signing-key.pub.pem and verifier-key.vkey, as `sealtrail keys generate` writes them. */
async function ensureSigningKey(dir: string, name: string): Promise<boolean> {
  const privatePath = join(dir, "signing-key.pem");
  if (existsSync(privatePath)) return false;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync("ed25519");
  const publicKey = rawPublicKey(privateKey);
  // The public files first: a start interrupted before the private key is written makes all three again.
  await writeFile(join(dir, "signing-key.pub.pem"), publicKeyToPem(publicKey));
  await writeFile(join(dir, "verifier-key.vkey"), `${vkeyString(name, publicKey)}\n`);
  await writeFile(privatePath, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600, flag: "wx" });
  return true;
}
