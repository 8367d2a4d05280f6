/** Lifecycle and command records: built here, spooled (record-spool.ts), shipped by any shipper of the server run. */
import type { EventInput } from "../core/entry/index.js";
import type { CaptureConfig } from "./capture-config.js";
import { recordName, writeRecord } from "./record-spool.js";
import { isoFromUs, recordKey, SOURCE } from "./tmux-events.js";

export type LifecycleAction =
  | "session.create"
  | "session.close"
  | "client.attach"
  | "client.detach"
  | "window.create"
  | "pane.create"
  | "pane.exit"
  | "capture.start"
  | "capture.stop";

export interface LifecycleFields {
  session: string;
  sessionId?: string;
  window?: string;
  pane?: string;
  client?: string;
  width?: number;
  height?: number;
}

/**
 * Spools one record. `key` names records that must exist once whoever reports them (a
 * session's creation, seen by every attach); others are keyed by their unique file name.
 */
export function recordLifecycle(serverDir: string, config: CaptureConfig, action: LifecycleAction, fields: LifecycleFields, timeUs: number, key?: string): EventInput {
  const name = recordName(timeUs);
  const payload: Record<string, unknown> = { session: fields.session, host: config.host, server: config.server, timeUs };
  for (const field of ["sessionId", "window", "pane", "client", "width", "height"] as const) {
    if (fields[field] !== undefined && fields[field] !== "") payload[field] = fields[field];
  }
  const event: EventInput = {
    kind: "tmux.session",
    actor: config.user,
    action,
    resource: config.host,
    outcome: "success",
    source: SOURCE,
    occurredAt: isoFromUs(timeUs),
    idempotencyKey: recordKey(config, key ?? name.replace(/\.rec$/, "")),
    payload,
  };
  writeRecord(serverDir, name, event);
  return event;
}

export interface CommandFields {
  command: string;
  exitCode: number;
  cwd: string;
  shell: "bash" | "zsh";
  session?: string;
  sessionId?: string;
  pane?: string;
}

export function recordCommand(serverDir: string, config: CaptureConfig, fields: CommandFields, timeUs: number): EventInput {
  const name = recordName(timeUs);
  const payload: Record<string, unknown> = { command: fields.command, exitCode: fields.exitCode, cwd: fields.cwd, shell: fields.shell, host: config.host, server: config.server, timeUs };
  for (const field of ["session", "sessionId", "pane"] as const) if (fields[field]) payload[field] = fields[field];
  const event: EventInput = {
    kind: "tmux.command",
    actor: config.user,
    action: "command.run",
    resource: config.host,
    outcome: fields.exitCode === 0 ? "success" : "failure",
    source: SOURCE,
    occurredAt: isoFromUs(timeUs),
    idempotencyKey: recordKey(config, name.replace(/\.rec$/, "")),
    payload,
  };
  writeRecord(serverDir, name, event);
  return event;
}
