import { basename } from "node:path";
import { parseArgs } from "node:util";
import { HOOK_SHELLS, type HookShell, shellHook } from "../../tmux/shell-hook.js";
import { parseChoice, parseOrUsage } from "../args.js";
import type { Cli } from "../context.js";
import { selfInvocation } from "./tmux-options.js";

const COMMAND = "tmux shell-hook";

/** sealtrail tmux shell-hook [--shell bash|zsh]: prints the snippet; eval it from the shell's rc file. */
export async function tmuxShellHookCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () => parseArgs({ args, options: { shell: { type: "string" } }, strict: true }));
  const shell = parseChoice(COMMAND, "shell", values.shell ?? basename(process.env.SHELL ?? "bash"), HOOK_SHELLS) as HookShell;
  cli.stdout(shellHook(shell, selfInvocation()));
  return 0;
}
