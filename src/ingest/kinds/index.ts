/**
 * The kinds ingestion accepts. Any other kind is refused rather than filed under `custom`:
 * kinds such as `sweep` and `ledger.read` are written by sealtrail itself, and a source must
 * neither forge them nor have its events silently relabelled.
 */
import { access } from "./access.js";
import { configChange } from "./config-change.js";
import { custom } from "./custom.js";
import { deploy } from "./deploy.js";
import { error } from "./error.js";
import type { KindSchema } from "./kind-schema.js";
import { tmuxCommand } from "./tmux-command.js";
import { tmuxOutput } from "./tmux-output.js";
import { tmuxSession } from "./tmux-session.js";

export type { KindSchema } from "./kind-schema.js";
export { ACCESS_ACTIONS } from "./access.js";
export { CONFIG_CHANGE_ACTIONS } from "./config-change.js";
export { DEPLOY_ACTIONS } from "./deploy.js";
export { ERROR_SEVERITIES } from "./error.js";
export { TMUX_COMMAND_ACTIONS } from "./tmux-command.js";
export { TMUX_OUTPUT_ACTIONS } from "./tmux-output.js";
export { TMUX_SESSION_ACTIONS } from "./tmux-session.js";

export const KIND_SCHEMAS: ReadonlyMap<string, KindSchema> = new Map(
  [deploy, configChange, access, error, tmuxSession, tmuxOutput, tmuxCommand, custom].map((schema) => [schema.kind, schema]),
);

export const INGEST_KINDS: readonly string[] = [...KIND_SCHEMAS.keys()];
