import { CliError } from "../cli-error.js";

export interface PaneFields {
  session?: string;
  sessionId?: string;
  window?: string;
  pane?: string;
  width?: number;
  height?: number;
}

/** tmux ids as its formats print them; an empty value (a format with nothing to say) is left out. */
export function paneFields(command: string, values: { session?: string; "session-id"?: string; window?: string; pane?: string; size?: string }): PaneFields {
  const check = (name: string, value: string | undefined, pattern: RegExp, want: string) => {
    if (value === undefined || value === "") return undefined;
    if (!pattern.test(value)) throw new CliError("USAGE", `${command}: --${name}: got ${JSON.stringify(value)}, want ${want}`);
    return value;
  };
  const fields: PaneFields = {};
  const session = values.session;
  if (session) fields.session = session;
  const sessionId = check("session-id", values["session-id"], /^\$\d+$/, "a tmux session id like $3");
  if (sessionId) fields.sessionId = sessionId;
  const window = check("window", values.window, /^@\d+$/, "a tmux window id like @2");
  if (window) fields.window = window;
  const pane = check("pane", values.pane, /^%\d+$/, "a tmux pane id like %1");
  if (pane) fields.pane = pane;
  // `#{pane_width}x#{pane_height}` outside a pane's context (a global hook) is just "x".
  const size = check("size", values.size === "x" ? undefined : values.size, /^[1-9]\d{0,3}x[1-9]\d{0,3}$/, "WIDTHxHEIGHT like 80x24");
  if (size) {
    const [w, h] = size.split("x").map(Number);
    fields.width = w!;
    fields.height = h!;
  }
  return fields;
}
