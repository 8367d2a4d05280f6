/**
 * bash and zsh completion scripts from the command spec: the words that may follow each
 * command path (subcommands of a group, options of a command), and file names for values.
 * Both walk the words typed so far to the longest known command path, then offer its words.
 */
import { optionFlags } from "./layout.js";
import type { PageDoc } from "./types.js";

export const SHELLS = ["bash", "zsh"] as const;
export type CompletionShell = (typeof SHELLS)[number];

/** Command path ("" for the top, "keys", "keys api", "emit") → the words offered after it. */
export function completionTable(pages: PageDoc[]): Map<string, string[]> {
  const table = new Map<string, string[]>();
  const add = (path: string, word: string) => {
    const words = table.get(path) ?? [];
    if (!words.includes(word)) words.push(word);
    table.set(path, words);
  };
  for (const page of pages) {
    for (const command of page.commands) {
      const words = command.name.split(" ");
      words.forEach((word, i) => add(words.slice(0, i).join(" "), word));
      table.set(command.name, [...(table.get(command.name) ?? []), ...optionFlags(command.options)]);
    }
  }
  table.set("help", pages.map((p) => p.name));
  table.set("completion", [...SHELLS]);
  return table;
}

const quote = (word: string) => word.replace(/[^A-Za-z0-9_.:%@/=+-]/g, (c) => `\\${c}`);

/** `case` arms: one per command path, its words in a variable. */
function arms(table: Map<string, string[]>, variable: string, zsh: boolean): string[] {
  return [...table].map(([path, words]) => {
    const pattern = path === "" ? "''" : quote(path);
    const value = zsh ? `(${words.map(quote).join(" ")})` : `"${words.join(" ")}"`;
    return `    ${zsh ? "(" : ""}${pattern}) ${variable}=${value} ;;`;
  });
}

function knownPaths(table: Map<string, string[]>): string {
  return [...table.keys()].filter(Boolean).map(quote).join("|");
}

export function completionScript(shell: CompletionShell, pages: PageDoc[]): string {
  const table = completionTable(pages);
  return shell === "bash" ? bashScript(table) : zshScript(table);
}

function bashScript(table: Map<string, string[]>): string {
  return `# bash completion for sealtrail: eval "$(sealtrail completion bash)" in ~/.bashrc
_sealtrail() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmdpath="" next i
  for ((i = 1; i < COMP_CWORD; i++)); do
    next="\${cmdpath:+$cmdpath }\${COMP_WORDS[i]}"
    case "$next" in
      ${knownPaths(table)}) cmdpath="$next" ;;
      *) break ;;
    esac
  done
  local offered=""
  case "$cmdpath" in
${arms(table, "offered", false).join("\n")}
  esac
  # After a command's own words: its options when a flag is begun, else file names (values).
  if [[ $i -lt $COMP_CWORD && $cur != -* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$offered" -- "$cur"))
    [[ \${#COMPREPLY[@]} -eq 0 && $cur != -* ]] && COMPREPLY=($(compgen -f -- "$cur"))
  fi
  return 0
}
complete -F _sealtrail sealtrail
`;
}

function zshScript(table: Map<string, string[]>): string {
  return `#compdef sealtrail
# zsh completion for sealtrail: eval "$(sealtrail completion zsh)" in ~/.zshrc, after compinit
_sealtrail() {
  local cmdpath="" next i
  for ((i = 2; i < CURRENT; i++)); do
    next="\${cmdpath:+$cmdpath }\${words[i]}"
    case "$next" in
      (${knownPaths(table)}) cmdpath="$next" ;;
      (*) break ;;
    esac
  done
  local -a offered
  case "$cmdpath" in
${arms(table, "offered", true).join("\n")}
  esac
  # After a command's own words: its options when a flag is begun, else file names (values).
  if (( i < CURRENT )) && [[ $PREFIX != -* ]]; then
    _files
  else
    compadd -- $offered || [[ $PREFIX == -* ]] || _files
  fi
}
compdef _sealtrail sealtrail
`;
}
