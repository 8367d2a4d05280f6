/**
 * kind `config.change`: a setting changed (PCI DSS 10.2.1.6 changes to audit settings among
 * them). resource: the system or file; payload.key: the setting. Values may be left out or
 * redacted: secrets have no place in a ledger that cannot forget.
 */
import { z } from "zod";
import type { KindSchema } from "./kind-schema.js";
import { actions, text } from "./fields.js";

export const CONFIG_CHANGE_ACTIONS = ["config.create", "config.update", "config.delete"] as const;

const payload = z.looseObject({
  key: text(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  redacted: z.boolean().optional(),
  reason: text().optional(),
});

export const configChange: KindSchema = {
  kind: "config.change",
  action: actions(CONFIG_CHANGE_ACTIONS),
  payload: () => payload,
};
