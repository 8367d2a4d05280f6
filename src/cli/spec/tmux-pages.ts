/** tmux session capture: attach, detach, replay, the shell hook, and what the hooks run. */
import type { PageDoc } from "./types.js";

const SERVER_OPTIONS = [
  { flag: "-L NAME", text: "the tmux server's socket name, as tmux -L" },
  { flag: "-S PATH", text: "the tmux server's socket path, as tmux -S" },
];
const HOOK_FIELDS = ["--dir DIR --pane %N [--session S] [--session-id $N] [--window @N] [--size WxH]"];

export const TMUX_PAGES: PageDoc[] = [
  {
    name: "tmux",
    title: "record tmux sessions into the ledger",
    description: [
      "attach pipes every pane of a session (and the panes created later) into a capture process, which spools the output to disk and ships it to the ingest queue for the log, or, with SEALTRAIL_API_URL and an events:write key, to the API over HTTP(S); the session's lifecycle (windows, panes, clients) is recorded too. What cannot be shipped stays in the spool until it can: nothing is lost while the queue or the API is away.",
    ],
    commands: [
      {
        name: "tmux attach",
        args: ["[-t SESSION] [-L NAME | -S PATH] [--log NAME]"],
        summary: "capture every pane of a tmux session (and panes created later) into the ingest queue for log NAME (default tmux), and record its lifecycle",
        options: [{ flag: "-t SESSION", text: "the session (default: tmux's current one)" }, ...SERVER_OPTIONS, { flag: "--log NAME", text: "the log (default tmux)" }],
      },
      {
        name: "tmux detach",
        args: ["[-t SESSION] [-L NAME | -S PATH]"],
        summary: "stop that capture: close the pipes, remove the hooks",
        options: [{ flag: "-t SESSION", text: "the session (default: tmux's current one)" }, ...SERVER_OPTIONS],
      },
      {
        name: "tmux replay",
        args: ["--session S [--pane %N] [--log NAME] [--raw]"],
        summary: "a pane's output from the ledger as asciicast v2 (--raw: its exact bytes) on stdout",
        details: ["Gaps and the panes not chosen are named on standard error."],
        options: [
          { flag: "--session S", text: "the recorded session's name" },
          { flag: "--pane %N", text: "the pane (default: the first recorded; the others are named on standard error)" },
          { flag: "--log NAME", text: "the log (default tmux)" },
          { flag: "--raw", text: "the pane's exact bytes instead of asciicast" },
        ],
      },
      {
        name: "tmux shell-hook",
        args: ["[--shell bash|zsh]"],
        summary: "shell snippet recording each command line, exit status and directory; eval it in ~/.bashrc or ~/.zshrc",
        options: [{ flag: "--shell bash|zsh", text: "the shell (default: from $SHELL)" }],
      },
      {
        name: "tmux flush",
        args: ["[--timeout SECONDS]"],
        summary: "ship every spool no capture process is shipping (after a restart); exit 2 if chunks remain",
        options: [{ flag: "--timeout SECONDS", text: "give up after this long (default 60)" }],
      },
      { name: "tmux capture", args: HOOK_FIELDS, summary: "the capture of one pane: its output on standard input", internal: true },
      { name: "tmux event", args: ["--dir DIR --action A [--session S] [--session-id $N] [--window @N]", "[--pane %N] [--client C] [--size WxH] [--at-ns NANOSECONDS]"], summary: "spool one lifecycle record", internal: true },
      { name: "tmux command", args: ["--shell bash|zsh --exit N --cwd DIR --command LINE [--at-ns NANOSECONDS]"], summary: "spool one command record (run by the shell hook)", internal: true },
    ],
    environment: ["REDIS_URL", "SEALTRAIL_INGEST_QUEUE", "SEALTRAIL_API_URL", "SEALTRAIL_API_TOKEN", "SEALTRAIL_SPOOL_DIR", "SEALTRAIL_TMUX_CAPTURE_PRIORITY", "DATABASE_URL", "SEALTRAIL_DB_SCHEMA"],
    examples: ["$ sealtrail tmux attach -t work --log tmux", "$ eval \"$(sealtrail tmux shell-hook --shell bash)\"", "$ sealtrail tmux replay --session work > work.cast"],
  },
];
