/**
 * `sealtrail up` migrates and makes the first start's logs and key as the database's admin
 * login, then runs the API and the workers as the deployment's service login (src/ledger/
 * postgres/service-login.ts): a member of the writer and reader roles only, so the running
 * services cannot do what a superuser could. Its password is generated on the first start
 * into the state directory (0600) and set again on every start.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { ensureServiceLogin, loginUrl } from "../ledger/postgres/service-login.js";

/** The services' DATABASE_URL: the admin URL with the service login and its password. */
export async function serviceDatabaseUrl(adminUrl: string, schema: string, rolePrefix: string | undefined, passwordFile: string): Promise<string> {
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, `${randomBytes(24).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
  const password = readFileSync(passwordFile, "utf8").trim();
  const login = await ensureServiceLogin(adminUrl, schema, rolePrefix, password);
  return loginUrl(adminUrl, login, password);
}
