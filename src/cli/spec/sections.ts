/**
 * A page as sections of blocks, the form both `sealtrail help COMMAND` (help-text.ts) and the
 * manual page (man.ts) render: one layout decision, two typesetters, so the terminal page and
 * the man page say the same words in the same order (a test compares them).
 */
import { ENVIRONMENT, EXIT_STATUS } from "./environment.js";
import type { CommandDoc, PageDoc } from "./types.js";

export type Block =
  | { kind: "paragraph"; text: string }
  /** Lines kept as they are (synopses, examples). */
  | { kind: "verbatim"; lines: string[] }
  /** A term and what it means, with items of its own (a command and its options). */
  | { kind: "item"; term: string; text: string; items?: { term: string; text: string }[] };

export interface Section {
  heading: string;
  blocks: Block[];
}

export const PROGRAM = "sealtrail";

/** "sealtrail keys api create --tenant T ..." and its continuation lines. */
export function synopsis(command: CommandDoc): string[] {
  const name = `${PROGRAM} ${command.name}`;
  const [first, ...rest] = command.args;
  return [first ? `${name} ${first}` : name, ...rest.map((line) => `${" ".repeat(name.length + 1)}${line}`)];
}

export function pageSections(page: PageDoc): Section[] {
  const sections: Section[] = [
    { heading: "NAME", blocks: [{ kind: "paragraph", text: `${PROGRAM}-${page.name} - ${page.title}` }] },
    { heading: "SYNOPSIS", blocks: [{ kind: "verbatim", lines: page.commands.filter((c) => !c.internal).flatMap(synopsis) }] },
    { heading: "DESCRIPTION", blocks: page.description.map((text) => ({ kind: "paragraph", text })) },
    {
      heading: "COMMANDS",
      blocks: page.commands.map((c) => ({
        kind: "item",
        term: synopsis(c).map((l) => l.trim()).join(" "),
        text: [c.internal ? `${c.summary} (run by the hooks and pipes tmux attach installs, not by hand).` : `${c.summary}.`, ...(c.details ?? [])].join(" "),
        ...(c.options?.length ? { items: c.options.map((o) => ({ term: o.flag, text: o.text })) } : {}),
      })),
    },
  ];
  if (page.examples?.length) sections.push({ heading: "EXAMPLES", blocks: [{ kind: "verbatim", lines: page.examples }] });
  const environment = ENVIRONMENT.filter((e) => page.environment.includes(e.name));
  if (environment.length) sections.push({ heading: "ENVIRONMENT", blocks: environment.map((e) => ({ kind: "item", term: e.name, text: e.text })) });
  sections.push({ heading: "EXIT STATUS", blocks: EXIT_STATUS.map((text) => ({ kind: "paragraph", text })) });
  sections.push({ heading: "SEE ALSO", blocks: [{ kind: "paragraph", text: `${PROGRAM}(1), sealtrail help` }] });
  return sections;
}
