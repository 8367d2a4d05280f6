import { SealtrailError } from "../core/errors.js";

/** The one error type of tmux capture: the tmux server, the spool and the capture's setup. */
export type TmuxErrorCode =
  /** tmux is not installed, no server runs on the socket, or a tmux command failed. */
  | "TMUX"
  /** The target session (or pane) does not exist. */
  | "NOT_FOUND"
  /** The spool directory cannot be created, read or written. */
  | "SPOOL"
  /** The capture configuration (capture.json, limits) is missing or unusable. */
  | "CONFIG"
  /** Reading the pane's output failed (the pipe from tmux): the capture stops, keeping what it read. */
  | "INPUT";

export class TmuxError extends SealtrailError<TmuxErrorCode> {}
