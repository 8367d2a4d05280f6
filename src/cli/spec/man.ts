/**
 * Manual pages in man(7) roff from the same sections as the terminal pages: sealtrail(1), the
 * overview, and sealtrail-GROUP(1) for each command group. No hyphenation and ragged-right
 * (.nh, .ad l), so the rendered words are the terminal page's words.
 */
import { ENVIRONMENT, EXIT_STATUS } from "./environment.js";
import { type Block, pageSections, PROGRAM, type Section, synopsis } from "./sections.js";
import type { PageDoc } from "./types.js";

/** Text made safe for roff: backslashes, hyphens (\- is the ASCII minus), a leading control character. */
export function roff(text: string): string {
  return text.replace(/\\/g, "\\e").replace(/-/g, "\\-").replace(/^([.'])/gm, "\\&$1");
}

function header(name: string, version: string): string[] {
  return [
    `.\\" Generated from the command spec (src/cli/spec) at build; do not edit.`,
    `.TH ${roff(name.toUpperCase())} 1 "" "${PROGRAM} ${roff(version)}" "${PROGRAM} manual"`,
    ".nh",
    ".ad l",
  ];
}

function block(b: Block): string[] {
  if (b.kind === "paragraph") return [".PP", roff(b.text)];
  if (b.kind === "verbatim") return [".PP", ".nf", ...b.lines.map(roff), ".fi"];
  const out = [".TP", `\\fB${roff(b.term)}\\fR`, roff(b.text)];
  if (b.items?.length) {
    out.push(".RS");
    for (const item of b.items) out.push(".TP", `\\fB${roff(item.term)}\\fR`, roff(item.text));
    out.push(".RE");
  }
  return out;
}

function sectionsRoff(sections: Section[]): string[] {
  return sections.flatMap((s) => [`.SH ${s.heading}`, ...s.blocks.flatMap(block)]);
}

/** sealtrail-GROUP(1). */
export function groupManPage(page: PageDoc, version: string): string {
  return [...header(`${PROGRAM}-${page.name}`, version), ...sectionsRoff(pageSections(page)), ""].join("\n");
}

/** sealtrail(1): what it is, every command in a line or two, the environment, the exit statuses. */
export function overviewManPage(pages: PageDoc[], version: string): string {
  const sections: Section[] = [
    { heading: "NAME", blocks: [{ kind: "paragraph", text: `${PROGRAM} - a tamper-evident audit ledger on PostgreSQL, its GraphQL API and evidence packs` }] },
    { heading: "SYNOPSIS", blocks: [{ kind: "verbatim", lines: [`${PROGRAM} COMMAND [OPTIONS]`, `${PROGRAM} help [COMMAND]`, `${PROGRAM} --version`] }] },
    {
      heading: "DESCRIPTION",
      blocks: [{ kind: "paragraph", text: "sealtrail records events in append-only Merkle-tree logs (RFC 9162) in PostgreSQL, signs their checkpoints (C2SP signed-note), verifies them, and builds signed evidence packs for audits. Each command group has its own page: man sealtrail-GROUP, or sealtrail help GROUP." }],
    },
    {
      heading: "COMMANDS",
      blocks: pages.flatMap((p) => p.commands.filter((c) => !c.internal).map((c): Block => ({ kind: "item", term: synopsis(c).map((l) => l.trim()).join(" "), text: `${c.summary}. See ${PROGRAM}-${p.name}(1).` }))),
    },
    { heading: "ENVIRONMENT", blocks: ENVIRONMENT.map((e): Block => ({ kind: "item", term: e.name, text: e.text })) },
    { heading: "EXIT STATUS", blocks: EXIT_STATUS.map((text): Block => ({ kind: "paragraph", text })) },
    { heading: "SEE ALSO", blocks: [{ kind: "paragraph", text: pages.map((p) => `${PROGRAM}-${p.name}(1)`).join(", ") }] },
  ];
  return [...header(PROGRAM, version), ...sectionsRoff(sections), ""].join("\n");
}

/** Every page's file name and text: sealtrail.1 and sealtrail-GROUP.1. */
export function manPages(pages: PageDoc[], version: string): Map<string, string> {
  const files = new Map([[`${PROGRAM}.1`, overviewManPage(pages, version)]]);
  for (const page of pages) files.set(`${PROGRAM}-${page.name}.1`, groupManPage(page, version));
  return files;
}
