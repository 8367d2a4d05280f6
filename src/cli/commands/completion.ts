import { parseArgs } from "node:util";
import { parseChoice, parseOrUsage, positionals } from "../args.js";
import type { Cli } from "../context.js";
import { completionScript, SHELLS } from "../spec/completion.js";
import { PAGES } from "../spec/index.js";

/** sealtrail completion bash|zsh: the shell's completion script, generated from the command spec. */
export async function completionCommand(args: string[], cli: Cli): Promise<number> {
  const { positionals: rest } = parseOrUsage("completion", () => parseArgs({ args, options: {}, allowPositionals: true, strict: true }));
  const [shell] = positionals("completion", rest, ["bash|zsh"]);
  cli.stdout(completionScript(parseChoice("completion", "shell", shell!, SHELLS), PAGES));
  return 0;
}
