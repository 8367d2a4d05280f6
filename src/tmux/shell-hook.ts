/**
 * The optional shell integration: a snippet for ~/.bashrc or ~/.zshrc that, inside a tmux
 * pane, records each command line with its exit status and working directory through
 * `sealtrail tmux command`, in the background so the prompt never waits.
 *
 * bash: PROMPT_COMMAND compares the newest history entry with the one at the previous
 * prompt (bash(1), HISTORY): a new entry is a command just run, and $? is its status. A
 * command history does not keep (HISTCONTROL=ignorespace/ignoredups, HISTIGNORE) is not
 * recorded: the pane capture still has it. zsh: the preexec and precmd hooks (zshmisc(1),
 * SPECIAL FUNCTIONS) hand over the line and the status directly. The time and `cwd` are
 * taken at the next prompt, when the command has finished (a `cd` records where it went).
 */
import { shellQuote } from "./tmux-server.js";

export type HookShell = "bash" | "zsh";
export const HOOK_SHELLS: readonly HookShell[] = ["bash", "zsh"];

export function shellHook(shell: HookShell, invocation: string[]): string {
  const command = [...invocation, "tmux", "command"].map(shellQuote).join(" ");
  if (shell === "bash") {
    return `# sealtrail: record each command line run in a tmux pane (exit status, directory)
if [ -n "$TMUX" ]; then
  __sealtrail_last=""
  __sealtrail_record() {
    local status=$? entry
    entry=$(HISTTIMEFORMAT= builtin history 1)
    if [ -n "$__sealtrail_last" ] && [ "$entry" != "$__sealtrail_last" ] && [[ $entry =~ ^\\ *[0-9]+\\*?\\ +(.*)$ ]]; then
      (${command} --shell bash --exit "$status" --cwd "$PWD" --at-ns "$(date +%s%N)" --command "\${BASH_REMATCH[1]}" >/dev/null 2>&1 &)
    fi
    __sealtrail_last=$entry
    return $status
  }
  PROMPT_COMMAND="__sealtrail_record\${PROMPT_COMMAND:+; \$PROMPT_COMMAND}"
fi
`;
  }
  return `# sealtrail: record each command line run in a tmux pane (exit status, directory)
if [[ -n $TMUX ]]; then
  __sealtrail_line=""
  __sealtrail_preexec() { __sealtrail_line=$1 }
  __sealtrail_precmd() {
    local st=$?
    if [[ -n $__sealtrail_line ]]; then
      ${command} --shell zsh --exit "$st" --cwd "$PWD" --at-ns "$(date +%s%N)" --command "$__sealtrail_line" &>/dev/null &!
    fi
    __sealtrail_line=""
  }
  autoload -Uz add-zsh-hook
  add-zsh-hook preexec __sealtrail_preexec
  add-zsh-hook precmd __sealtrail_precmd
fi
`;
}
