/** The command line about itself: help, completion and --version. */
import type { PageDoc } from "./types.js";

export const META_PAGES: PageDoc[] = [
  {
    name: "help",
    title: "the manual, on the terminal",
    description: ["Without a command, the overview of every command; with one, its manual page as text (the same page as man sealtrail-COMMAND)."],
    commands: [
      { name: "help", args: ["[COMMAND]"], summary: "this text; help COMMAND: that command's manual page" },
      { name: "--version", args: [], summary: "the version of sealtrail" },
    ],
    environment: [],
  },
  {
    name: "completion",
    title: "shell completion",
    description: ["Prints a completion script for the shell: commands, subcommands and options."],
    commands: [{ name: "completion", args: ["bash|zsh"], summary: "the shell's completion script: eval it in ~/.bashrc or ~/.zshrc" }],
    environment: [],
    examples: ["$ eval \"$(sealtrail completion bash)\"        # in ~/.bashrc", "$ eval \"$(sealtrail completion zsh)\"         # in ~/.zshrc, after compinit"],
  },
];
