/**
 * Talking to a tmux server: one `tmux -S <socket>` command per call, arguments passed as an
 * argv (no shell). The socket is explicit so hooks and pipes point at the server they were
 * installed on, whatever $TMUX says later.
 */
import { execFile } from "node:child_process";
import { TmuxError } from "./tmux-error.js";

export interface TmuxTarget {
  /** `-S path` */
  socketPath?: string;
  /** `-L name` */
  socketName?: string;
}

export function socketArgs(target: TmuxTarget): string[] {
  if (target.socketPath) return ["-S", target.socketPath];
  if (target.socketName) return ["-L", target.socketName];
  // Inside tmux, $TMUX is "<socket>,<server pid>,<session index>" (tmux(1), ENVIRONMENT).
  const inside = process.env.TMUX?.split(",")[0];
  return inside ? ["-S", inside] : [];
}

export function tmux(target: TmuxTarget, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("tmux", [...socketArgs(target), ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      const text = code === "ENOENT" ? "tmux is not installed (not on PATH)" : (stderr.trim() || error.message).split("\n")[0]!;
      const notFound = /can't find (session|pane|window)|no server running|error connecting/.test(text);
      reject(new TmuxError(notFound ? "NOT_FOUND" : "TMUX", `tmux ${args[0]}: ${text}`, { cause: error }));
    });
  });
}

/** A string as one shell word (POSIX sh single quotes). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A literal for a string tmux expands formats in: `#` doubled (tmux(1), FORMATS). */
export function formatLiteral(text: string): string {
  return text.replaceAll("#", "##");
}

/** A string as one argument of a tmux command line (tmux(1), PARSING SYNTAX: double quotes). */
export function tmuxQuote(text: string): string {
  return `"${text.replace(/[\\"$~]/g, (c) => `\\${c}`)}"`;
}
