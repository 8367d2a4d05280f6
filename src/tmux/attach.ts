/**
 * `sealtrail tmux attach` and `detach`: start and stop the capture of every pane of a
 * session. Attach writes the server run's capture.json, opens `pipe-pane -o -O` into a
 * capture process for each pane, and installs hooks (tmux(1), HOOKS) that do the same for
 * panes created later and spool lifecycle records. Our hooks sit at array index HOOK_INDEX,
 * so the user's own hooks are left alone and detach removes exactly ours.
 */
import { hostname, userInfo } from "node:os";
import { readCaptureConfig, serverDir, writeCaptureConfig, type CaptureConfig } from "./capture-config.js";
import { nowUs } from "./capture-clock.js";
import { type CaptureApiSetting, type CapturePriority, DEFAULT_CAPTURE_PRIORITY } from "../config/index.js";
import { shipRecordsOnce } from "./flush.js";
import { recordLifecycle, type LifecycleAction } from "./lifecycle.js";
import { formatLiteral, shellQuote, tmux, type TmuxTarget, tmuxQuote } from "./tmux-server.js";
import { TmuxError } from "./tmux-error.js";

export const HOOK_INDEX = 74;
/** Global session-closed hooks (a closed session's own hooks are gone): one index per session. */
const CLOSED_BASE = 740_000;

export interface Session {
  id: string;
  name: string;
  server: string;
  socket: string;
  createdUs: number;
}

export interface AttachOptions {
  target: TmuxTarget;
  /** tmux target-session; default: tmux's current session. */
  session?: string;
  log: string;
  spoolRoot: string;
  redisUrl: string;
  queue: string;
  prefix?: string;
  /** Ship to the API instead of Redis (SEALTRAIL_API_URL and its token). */
  api?: CaptureApiSetting;
  maxPayloadBytes: number;
  /** The captures' CPU scheduling (capture-priority.ts); default idle. */
  capturePriority?: CapturePriority;
  /** How this process was started (node and the sealtrail script): hooks and pipes run the same. */
  invocation: string[];
}

export interface Attached {
  session: Session;
  dir: string;
  /** Panes whose capture started. */
  panes: string[];
  /** Panes that had a pipe already (ours from an earlier attach, or someone else's). */
  piped: string[];
}

export async function findSession(target: TmuxTarget, session: string | undefined): Promise<Session> {
  // display-message falls back to another session for a target it cannot find; has-session does not.
  if (session) await tmux(target, ["has-session", "-t", session]);
  const out = await tmux(target, ["display-message", "-p", ...(session ? ["-t", session] : []), "#{session_id}\t#{pid}\t#{start_time}\t#{socket_path}\t#{session_created}\t#{session_name}"]);
  const [id, pid, start, socket, created, ...name] = out.replace(/\n$/, "").split("\t");
  if (!id || !/^\$\d+$/.test(id) || !pid || !start || !socket) throw new TmuxError("TMUX", `tmux display-message: unexpected output ${JSON.stringify(out)}`);
  return { id, name: name.join("\t"), server: `${start}-${pid}`, socket, createdUs: Number(created) * 1_000_000 };
}

/** The capture command a pipe runs; tmux fills in the pane's formats when the pipe opens. */
export function captureCommand(invocation: string[], dir: string): string {
  const words = [...invocation, "tmux", "capture", "--dir", dir].map((w) => formatLiteral(shellQuote(w)));
  return `${words.join(" ")} --pane=#{q:pane_id} --window=#{q:window_id} --session=#{q:session_name} --session-id=#{q:session_id} --size=#{pane_width}x#{pane_height}`;
}

/** The command a hook runs (through run-shell -b) to spool a lifecycle record. */
export function eventCommand(invocation: string[], dir: string, action: LifecycleAction, extra = ""): string {
  const words = [...invocation, "tmux", "event", "--dir", dir, "--action", action].map((w) => formatLiteral(shellQuote(w)));
  // `date +%s%N`: the hook's own time, before the seconds node takes to start.
  return `${words.join(" ")} --session=#{q:session_name} --session-id=#{q:session_id} --window=#{q:window_id} --pane=#{q:pane_id} --size=#{pane_width}x#{pane_height}${extra} --at-ns $(date +%s%N)`;
}

function hooks(invocation: string[], dir: string, session: Session): [string, string][] {
  const capture = captureCommand(invocation, dir);
  const event = (action: LifecycleAction, extra = "") => `run-shell -b ${tmuxQuote(eventCommand(invocation, dir, action, extra))}`;
  return [
    // A new pane's pipe opens in the hook, before its first output is lost.
    ["after-split-window", `pipe-pane -o -O ${tmuxQuote(capture)} ; ${event("pane.create")}`],
    ["after-new-window", `pipe-pane -o -O ${tmuxQuote(capture)} ; ${event("window.create")}`],
    ["client-attached", event("client.attach", " --client=#{q:client_name}")],
    ["client-detached", event("client.detach", " --client=#{q:client_name}")],
    ["pane-exited", `run-shell -b ${tmuxQuote(eventCommand(invocation, dir, "pane.exit").replace("--pane=#{q:pane_id}", "--pane=#{q:hook_pane}"))}`],
    [`session-closed-global`, `run-shell -b ${tmuxQuote(eventCommand(invocation, dir, "session.close").replace("--session=#{q:session_name} --session-id=#{q:session_id}", "--session=#{q:hook_session_name} --session-id=#{q:hook_session}"))} ; set-hook -gu session-closed[${closedIndex(session)}]`],
  ];
}

function closedIndex(session: Session): number {
  return CLOSED_BASE + Number(session.id.slice(1));
}

export async function attachSession(options: AttachOptions): Promise<Attached> {
  const session = await findSession(options.target, options.session);
  const dir = serverDir(options.spoolRoot, session.server);
  const config: CaptureConfig = {
    log: options.log,
    redisUrl: options.redisUrl,
    queue: options.queue,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.api ? { api: options.api } : {}),
    maxPayloadBytes: options.maxPayloadBytes,
    user: userInfo().username,
    host: hostname(),
    server: session.server,
    socket: session.socket,
    priority: options.capturePriority ?? DEFAULT_CAPTURE_PRIORITY,
  };
  writeCaptureConfig(dir, config);
  const target: TmuxTarget = { socketPath: session.socket };
  const now = nowUs();
  // tmux knows when the session began: one record of it, whoever attaches and how often.
  recordLifecycle(dir, config, "session.create", { session: session.name, sessionId: session.id }, session.createdUs, `${session.id}:session.create`);
  recordLifecycle(dir, config, "capture.start", { session: session.name, sessionId: session.id }, now);

  for (const [name, command] of hooks(options.invocation, dir, session)) {
    if (name === "session-closed-global") await tmux(target, ["set-hook", "-g", `session-closed[${closedIndex(session)}]`, command]);
    else await tmux(target, ["set-hook", "-t", session.id, `${name}[${HOOK_INDEX}]`, command]);
  }
  const panes: string[] = [];
  const piped: string[] = [];
  const capture = captureCommand(options.invocation, dir);
  for (const line of (await tmux(target, ["list-panes", "-s", "-t", session.id, "-F", "#{pane_id}\t#{pane_pipe}"])).split("\n")) {
    const [pane, pipe] = line.split("\t");
    if (!pane) continue;
    if (pipe === "1") {
      piped.push(pane);
      continue;
    }
    await tmux(target, ["pipe-pane", "-o", "-O", "-t", pane, capture]);
    panes.push(pane);
  }
  await shipRecordsOnce(dir, config, 3_000);
  return { session, dir, panes, piped };
}

export interface Detached {
  session: Session;
  dir: string;
  panes: string[];
}

/** Removes our hooks and closes every pane's pipe; records capture.stop. */
export async function detachSession(options: { target: TmuxTarget; session?: string; spoolRoot: string }): Promise<Detached> {
  const session = await findSession(options.target, options.session);
  const dir = serverDir(options.spoolRoot, session.server);
  const target: TmuxTarget = { socketPath: session.socket };
  for (const [name] of hooks([], dir, session)) {
    if (name === "session-closed-global") await tmux(target, ["set-hook", "-gu", `session-closed[${closedIndex(session)}]`]);
    else await tmux(target, ["set-hook", "-u", "-t", session.id, `${name}[${HOOK_INDEX}]`]);
  }
  const panes: string[] = [];
  for (const line of (await tmux(target, ["list-panes", "-s", "-t", session.id, "-F", "#{pane_id}\t#{pane_pipe}"])).split("\n")) {
    const [pane, pipe] = line.split("\t");
    if (!pane || pipe !== "1") continue;
    await tmux(target, ["pipe-pane", "-t", pane]);
    panes.push(pane);
  }
  let config: CaptureConfig | undefined;
  try {
    config = readCaptureConfig(dir);
  } catch {
    config = undefined; // never attached on this server run: nothing was captured to stop
  }
  if (config) {
    recordLifecycle(dir, config, "capture.stop", { session: session.name, sessionId: session.id }, nowUs());
    // The captures just stopped may not be there to ship it.
    await shipRecordsOnce(dir, config, 3_000);
  }
  return { session, dir, panes };
}
