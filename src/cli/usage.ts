/** The overview `sealtrail help` prints, generated from the command spec (src/cli/spec). */
import { overviewText, PAGES } from "./spec/index.js";

export const USAGE = overviewText(PAGES);
