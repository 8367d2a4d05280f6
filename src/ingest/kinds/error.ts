/**
 * kind `error`: something failed in a system. actor: the service or process; action: the
 * source's own name for the error class (`http.500`, `db.timeout`); resource: the component.
 * An error is always a failure: an `error` event claiming success is refused.
 */
import { z } from "zod";
import type { KindSchema } from "./kind-schema.js";
import { freeAction, text } from "./fields.js";

export const ERROR_SEVERITIES = ["warning", "error", "critical"] as const;

const payload = z.looseObject({
  message: z.string().min(1).max(16_384),
  code: text(256).optional(),
  severity: z.enum(ERROR_SEVERITIES).optional(),
  stack: z.string().max(65_536).optional(),
});

export const error: KindSchema = {
  kind: "error",
  action: freeAction,
  payload: () => payload,
  outcome: z.literal("failure"),
};
