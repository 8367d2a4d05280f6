import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { parseScopes } from "../../core/token/index.js";
import { CoreError } from "../../core/errors.js";
import { type ApiKey, ensureAuditLog, type LedgerStore } from "../../ledger/index.js";
import { parseOrUsage, positionals, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";

/**
 * sealtrail keys api create --tenant T --scopes S[,S…] [--name N]: prints the token once.
 * Keys are managed with the login role of DATABASE_URL (it owns the key table); each change
 * is also recorded in the tenant's audit log (PCI DSS 10.2.1.5, changes to credentials).
 */
export async function keysApiCreateCommand(args: string[], cli: Cli): Promise<number> {
  const command = "keys api create";
  const { values } = parseOrUsage(command, () =>
    parseArgs({ args, options: { tenant: { type: "string" }, scopes: { type: "string" }, name: { type: "string" } }, strict: true }),
  );
  const tenant = required(command, "tenant", values.tenant);
  let scopes;
  try {
    scopes = parseScopes(required(command, "scopes", values.scopes));
  } catch (error) {
    if (error instanceof CoreError) throw new CliError("USAGE", `${command}: --${error.message}`, { cause: error });
    throw error;
  }
  const { key, token } = await withDatabase(cli, "read", async (store) => {
    const made = await store.createApiKey({ tenant, scopes, ...(values.name !== undefined ? { name: values.name } : {}) });
    await recordKeyChange(store, cli, made.key, "api_key.created");
    return made;
  });
  cli.stdout(json({ ...describe(key), token }));
  return 0;
}

/** sealtrail keys api list [--tenant T]: one JSON object a line, never a secret. */
export async function keysApiListCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("keys api list", () => parseArgs({ args, options: { tenant: { type: "string" } }, strict: true }));
  const keys = await withDatabase(cli, "read", (store) => store.listApiKeys(values.tenant));
  cli.stdout(keys.map((key) => json(describe(key))).join(""));
  return 0;
}

/** sealtrail keys api revoke ID */
export async function keysApiRevokeCommand(args: string[], cli: Cli): Promise<number> {
  const command = "keys api revoke";
  const parsed = parseOrUsage(command, () => parseArgs({ args, options: {}, strict: true, allowPositionals: true }));
  const [id] = positionals(command, parsed.positionals, ["ID"]) as [string];
  const key = await withDatabase(cli, "read", async (store) => {
    const revoked = await store.revokeApiKey(id);
    await recordKeyChange(store, cli, revoked, "api_key.revoked");
    return revoked;
  });
  cli.stdout(json(describe(key)));
  return 0;
}

function describe(key: ApiKey) {
  return {
    id: key.id,
    tenant: key.tenant,
    name: key.name,
    scopes: key.scopes,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

async function recordKeyChange(store: LedgerStore, cli: Cli, key: ApiKey, action: "api_key.created" | "api_key.revoked"): Promise<void> {
  const at = action === "api_key.created" ? key.createdAt : key.revokedAt!;
  const log = await ensureAuditLog(store, key.tenant, cli.originPrefix);
  await store.appender().append(log.name, [{
    kind: "access",
    actor: `${userInfo().username}@cli`,
    action,
    resource: `api_key:${key.id}`,
    source: "sealtrail-cli",
    occurredAt: at,
    payload: { id: key.id, name: key.name, scopes: key.scopes, tenant: key.tenant },
    // One record per key and change, however often the command is retried.
    idempotencyKey: `${action}:${key.id}`,
  }]);
}
