/**
 * kind `access`: authentication and account administration, the events PCI DSS 10.2.1
 * names: logins and failed logins (10.2.1.4, the outcome tells them apart), privilege changes
 * and account creation or removal (10.2.1.5), credential changes (10.2.1.5).
 * actor: who acted (for a login, the account logging in); resource: the system or application.
 */
import { z } from "zod";
import type { KindSchema } from "./kind-schema.js";
import { actions, text } from "./fields.js";

export const ACCESS_ACTIONS = [
  "login",
  "logout",
  "privilege.grant",
  "privilege.revoke",
  "account.create",
  "account.remove",
  "credential.change",
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

const session = z.looseObject({
  /** password, sso, ssh-key, mfa, … */
  method: text(64).optional(),
  /** Why a login failed. */
  reason: text().optional(),
  address: text(256).optional(),
});
/** The account acted upon, when it is not the actor. */
const account = z.looseObject({ subject: text() });
const privilege = z.looseObject({ subject: text(), privilege: text() });

const PAYLOADS: Record<AccessAction, z.ZodType> = {
  login: session,
  logout: session,
  "privilege.grant": privilege,
  "privilege.revoke": privilege,
  "account.create": account,
  "account.remove": account,
  "credential.change": account,
};

export const access: KindSchema = {
  kind: "access",
  action: actions(ACCESS_ACTIONS),
  payload: (action) => PAYLOADS[action as AccessAction],
};
