/**
 * The shape of the command spec: the one description of the command line from which
 * `sealtrail help`, the manual pages, the shell completions, and docs/cli.md are all
 * generated, so none of them can say something the others do not.
 */

/** One option of a command: its flag as typed (with its value's placeholder) and what it does. */
export interface OptionDoc {
  /** "--log NAME", "-t SESSION", "--json", "--tag T..." (repeatable). */
  flag: string;
  text: string;
}

export interface CommandDoc {
  /** The words that select it: "verify", "keys api create". */
  name: string;
  /** The synopsis after the name, one string per line as printed. */
  args: string[];
  /** The overview's line(s): what it does, in a phrase. */
  summary: string;
  /** The manual page's paragraphs about it, beyond the summary. */
  details?: string[];
  options?: OptionDoc[];
  /** Run by the hooks and pipes `tmux attach` installs, not by people: listed, not advertised. */
  internal?: boolean;
}

/** A command group: one manual page, sealtrail-NAME(1), and one `sealtrail help NAME` page. */
export interface PageDoc {
  /** The first word of its commands: "keys", "verify-pack". */
  name: string;
  /** The NAME line of the manual page. */
  title: string;
  /** Paragraphs before the commands. */
  description: string[];
  commands: CommandDoc[];
  /** Environment variables that matter to these commands (names from ENVIRONMENT). */
  environment: string[];
  /** Further paragraphs (EXAMPLES), verbatim blocks start with "$ ". */
  examples?: string[];
}

export interface EnvironmentDoc {
  name: string;
  text: string;
}
