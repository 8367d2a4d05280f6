/** kind `deploy`: a release of a service. actor: who (or which pipeline) deployed; resource: the service. */
import { z } from "zod";
import type { KindSchema } from "./kind-schema.js";
import { actions, text } from "./fields.js";

export const DEPLOY_ACTIONS = ["deploy.start", "deploy.finish", "deploy.rollback", "deploy.cancel"] as const;

const payload = z.looseObject({
  /** The version being deployed (for a rollback: the one rolled back to). */
  version: text(256),
  environment: text(256).optional(),
  commit: text(256).optional(),
  previousVersion: text(256).optional(),
});

export const deploy: KindSchema = {
  kind: "deploy",
  action: actions(DEPLOY_ACTIONS),
  payload: () => payload,
};
