/**
 * The command spec, the public face of src/cli/spec: every page (command group) in the order
 * the overview lists them, and the renderers that make help, manual pages, completions and
 * Markdown of them.
 */
import { ERASURE_PAGES } from "./erasure-pages.js";
import { KEYS_PAGES } from "./keys-pages.js";
import { LEDGER_PAGES } from "./ledger-pages.js";
import { LOCAL_PAGES } from "./local-pages.js";
import { META_PAGES } from "./meta-pages.js";
import { PACK_PAGES } from "./packs-pages.js";
import { PROCESS_PAGES } from "./process-pages.js";
import { TMUX_PAGES } from "./tmux-pages.js";
import type { CommandDoc, PageDoc } from "./types.js";

const byName = (pages: PageDoc[], name: string): PageDoc => pages.find((p) => p.name === name)!;
const ledger = (name: string) => byName(LEDGER_PAGES, name);

export const PAGES: PageDoc[] = [
  ...LOCAL_PAGES,
  ledger("migrate"),
  ...KEYS_PAGES,
  ledger("log"),
  ledger("emit"),
  ledger("checkpoint"),
  ledger("verify"),
  ledger("sweep"),
  ledger("proof"),
  ledger("tiles"),
  ...ERASURE_PAGES,
  ...PROCESS_PAGES,
  ...PACK_PAGES,
  ...TMUX_PAGES,
  ...META_PAGES,
];

/** Every command, in overview order. */
export const COMMAND_DOCS: CommandDoc[] = PAGES.flatMap((p) => p.commands);

/** The page `sealtrail help WORDS...` shows: the group of the command the words begin. */
export function findPage(words: string[]): PageDoc | undefined {
  return PAGES.find((p) => p.name === words[0]);
}

export { ENVIRONMENT, EXIT_STATUS } from "./environment.js";
export { overviewText, pageText } from "./help-text.js";
export type { CommandDoc, EnvironmentDoc, OptionDoc, PageDoc } from "./types.js";
