/** `sealtrail help` (the overview) and `sealtrail help COMMAND` (a page) as terminal text. */
import { ENVIRONMENT, EXIT_STATUS } from "./environment.js";
import { wrap } from "./layout.js";
import { pageSections } from "./sections.js";
import type { CommandDoc, PageDoc } from "./types.js";

/** man(1)'s line length at MANWIDTH=90, so `help COMMAND` and the man page set the same lines. */
const WIDTH = 87;
/** The overview's width: it is read on a terminal and in docs/cli.md, never through man. */
const OVERVIEW_WIDTH = 90;
/** The column the overview's summaries start at. */
const SUMMARY_COLUMN = 34;
const ENV_COLUMN = 27;
/** The body indent of a page, as man(1) prints one. */
const BODY = 7;
/** The indent of a tagged paragraph's text, .TP's default of 7 more. */
const ITEM = 14;

/** The overview: every command with its synopsis and what it does, the environment, the exit statuses. */
export function overviewText(pages: PageDoc[]): string {
  const lines = ["Usage: sealtrail <command> [options]", "       sealtrail help COMMAND   (that command's manual page)", "", "Commands:"];
  for (const page of pages) {
    const internal = page.commands.filter((c) => c.internal);
    for (const command of page.commands.filter((c) => !c.internal)) lines.push(...overviewEntry(command.name, command.args, command.summary));
    if (internal.length) {
      const names = internal.map((c) => c.name.split(" ").slice(1).join(" ")).join(" | ");
      lines.push(...overviewEntry(`${page.name} ${names}`, [], `run by the hooks and pipes ${page.name} attach installs`));
    }
  }
  lines.push("", "Environment:");
  for (const e of ENVIRONMENT) {
    const head = `  ${e.name}`;
    if (head.length < ENV_COLUMN) lines.push(...wrap(e.text, OVERVIEW_WIDTH, ENV_COLUMN, head));
    else lines.push(head, ...wrap(e.text, OVERVIEW_WIDTH, ENV_COLUMN));
  }
  lines.push("", ...EXIT_STATUS.flatMap((text) => wrap(`Exit status: ${text}`, OVERVIEW_WIDTH, 0)), "");
  return lines.join("\n");
}

function overviewEntry(name: string, args: CommandDoc["args"], summary: string): string[] {
  const [first, ...rest] = args;
  const head = `  ${name}${first ? ` ${first}` : ""}`;
  const continued = rest.map((line) => `${" ".repeat(name.length + 3)}${line}`);
  // The summary shares the synopsis's last line when there is room for it.
  const last = continued.length ? continued.pop()! : head;
  const lines = continued.length || last !== head ? [head, ...continued] : [];
  if (last.length < SUMMARY_COLUMN - 1) return [...lines, ...wrap(summary, OVERVIEW_WIDTH, SUMMARY_COLUMN, last)];
  return [...lines, last, ...wrap(summary, OVERVIEW_WIDTH, SUMMARY_COLUMN)];
}

/** A tagged paragraph as man(7)'s .TP sets it: the text beside a tag short enough to leave a gap, else below it. */
function tagged(term: string, text: string, indent: number): string[] {
  const gap = indent + 7;
  if (indent + term.length < gap) return wrap(text, WIDTH, gap, `${" ".repeat(indent)}${term}`);
  return [...wrap(term, WIDTH, indent), ...wrap(text, WIDTH, gap)];
}

/** A command group's page, section by section as its manual page has them. */
export function pageText(page: PageDoc): string {
  const lines: string[] = [];
  for (const section of pageSections(page)) {
    lines.push(section.heading);
    section.blocks.forEach((block, i) => {
      if (i > 0) lines.push("");
      if (block.kind === "paragraph") lines.push(...wrap(block.text, WIDTH, BODY));
      else if (block.kind === "verbatim") lines.push(...block.lines.map((l) => `${" ".repeat(BODY)}${l}`));
      else {
        lines.push(...tagged(block.term, block.text, BODY));
        for (const item of block.items ?? []) lines.push("", ...tagged(item.term, item.text, ITEM));
      }
    });
    lines.push("");
  }
  return lines.join("\n");
}
