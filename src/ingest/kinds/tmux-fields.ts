/** tmux's identifiers, as its formats print them (tmux(1), FORMATS: session_id, window_id, pane_id). */
import { z } from "zod";
import { text } from "./fields.js";

export const sessionId = z.string().regex(/^\$\d+$/, "want a tmux session id like $3");
export const windowId = z.string().regex(/^@\d+$/, "want a tmux window id like @2");
export const paneId = z.string().regex(/^%\d+$/, "want a tmux pane id like %1");
/** One tmux server's run: `<start time>-<pid>`, so pane ids reused by a later server stay apart. */
export const serverRun = z.string().regex(/^\d+-\d+$/, "want <server start time>-<server pid>");
export const host = text(256);
export const cells = z.number().int().min(1).max(10_000);
