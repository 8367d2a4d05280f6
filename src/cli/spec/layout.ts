/** Plain-text layout shared by the help renderers: words wrapped to a width at an indent. */

/** `text` wrapped to `width` columns, every line starting with `indent` spaces (the first after `first`). */
export function wrap(text: string, width: number, indent: number, first = ""): string[] {
  const lines: string[] = [];
  let line = first.padEnd(indent);
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = " ".repeat(indent);
      empty = true;
    }
    line += (empty ? "" : " ") + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** The command's options' flags, as a completion offers them: "--log", "-t". */
export function optionFlags(options: readonly { flag: string }[] | undefined): string[] {
  return (options ?? []).map((o) => o.flag.split(/[ .]/)[0]!);
}
