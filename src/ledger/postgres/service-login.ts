/**
 * The login the services connect as where sealtrail sets up the database itself (`sealtrail
 * up`; compose's setup through `sealtrail migrate --service-login`): `<prefix>_service`, a
 * LOGIN role that is a member of the deployment's writer and reader roles and nothing more —
 * not a superuser, not the owner, NOINHERIT, so it holds no privilege until it switches to one
 * of them (every service connects with SET ROLE, db.ts). What a superuser login could do to the
 * ledger (disable triggers, rewrite rows) is then out of the running services' reach
 * (docs/security.md, "Who can still change the ledger").
 */
import { LedgerError } from "../errors.js";
import { connect } from "./db.js";
import { ledgerRoles } from "./roles.js";

/** A password we generate (base64url): safe to write as an SQL literal. */
const PASSWORD = /^[A-Za-z0-9_-]{16,128}$/;
const DUPLICATE_OBJECT = "42710";

/**
 * Creates the service login if missing, sets its password, and grants it the writer and reader
 * roles, over `adminUrl` (a superuser or CREATEROLE login). Returns the login's name.
 */
export async function ensureServiceLogin(adminUrl: string, schema: string, rolePrefix: string | undefined, password: string): Promise<string> {
  if (!PASSWORD.test(password)) throw new LedgerError("INVALID_INPUT", "service login password: want 16–128 characters of A–Z, a–z, 0–9, _ and -");
  const roles = ledgerRoles(adminUrl, schema, rolePrefix);
  const login = `${roles.writer.slice(0, -"_writer".length)}_service`;
  const sql = connect({ url: adminUrl, schema, max: 1, applicationName: "sealtrail-setup" });
  try {
    const [found] = await sql`select 1 as found from pg_roles where rolname = ${login}`;
    if (!found) {
      await sql.unsafe(`create role "${login}" login noinherit nosuperuser nocreatedb nocreaterole nobypassrls`).catch((error: { code?: string }) => {
        // Created meanwhile by another start: the same role.
        if (error.code !== DUPLICATE_OBJECT) throw error;
      });
    }
    await sql.unsafe(`alter role "${login}" login noinherit nosuperuser nocreatedb nocreaterole nobypassrls password '${password}'`);
    await sql.unsafe(`grant "${roles.writer}", "${roles.reader}" to "${login}"`);
    return login;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** `url` with its user and password replaced: the service login's URL beside the admin's. */
export function loginUrl(url: string, login: string, password: string): string {
  const replaced = url.replace(/^(postgres(?:ql)?:\/\/)([^@/?]*@)?/, `$1${encodeURIComponent(login)}:${encodeURIComponent(password)}@`);
  if (replaced === url) throw new LedgerError("INVALID_INPUT", "database URL: want postgres://… or postgresql://…");
  return replaced;
}
