/** docs/cli.md from the command spec: the overview, then every group's page as Markdown. */
import { EXIT_STATUS } from "./environment.js";
import { overviewText } from "./help-text.js";
import { pageSections } from "./sections.js";
import type { PageDoc } from "./types.js";

export function cliMarkdown(pages: PageDoc[]): string {
  const out = [
    "# Command line",
    "",
    "<!-- Generated from the command spec (src/cli/spec) by `npm run docs:cli`; a test keeps it current. -->",
    "",
    "`sealtrail help` prints the overview below; `sealtrail help COMMAND` prints a group's page, the same text as",
    "its manual page (`man sealtrail-COMMAND`: the pages are built into `dist/man` by `npm ci` and listed in",
    "package.json's `man`, so a global install puts them where man finds them; `man -l dist/man/sealtrail-keys.1`",
    "reads one in place). Shell completion: `eval \"$(sealtrail completion bash)\"` in `~/.bashrc`, or",
    "`eval \"$(sealtrail completion zsh)\"` in `~/.zshrc` after `compinit`. `sealtrail --version` prints the version.",
    "",
    "```",
    overviewText(pages).trimEnd(),
    "```",
  ];
  for (const page of pages) {
    out.push("", `## sealtrail ${page.name}: ${page.title}`);
    for (const section of pageSections(page).filter((s) => !["NAME", "SEE ALSO", "EXIT STATUS"].includes(s.heading))) {
      out.push("", `**${section.heading[0]}${section.heading.slice(1).toLowerCase()}**`, "");
      for (const block of section.blocks) {
        if (block.kind === "paragraph") out.push(block.text, "");
        else if (block.kind === "verbatim") out.push("```", ...block.lines, "```", "");
        else {
          out.push(`- \`${block.term}\`: ${block.text}`);
          for (const item of block.items ?? []) out.push(`  - \`${item.term}\`: ${item.text}`);
        }
      }
      if (out.at(-1) !== "") out.push("");
    }
    while (out.at(-1) === "") out.pop();
  }
  out.push("", ...EXIT_STATUS.map((text) => `Exit status: ${text}`), "");
  // Paragraphs end in a blank line and headings begin with one: one is enough.
  return out.join("\n").replace(/\n{3,}/g, "\n\n");
}
