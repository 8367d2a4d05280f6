/** kind `custom`: anything else a source records; the action names it, the payload is any JSON object. */
import type { KindSchema } from "./kind-schema.js";
import { freeAction, jsonObject } from "./fields.js";

const payload = jsonObject.optional();

export const custom: KindSchema = {
  kind: "custom",
  action: freeAction,
  payload: () => payload,
};
