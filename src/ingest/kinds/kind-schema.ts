import type { z } from "zod";
import type { Outcome } from "../../core/entry/index.js";

/**
 * What ingestion accepts for one kind, beyond the fields every event carries: its actions,
 * the payload of each action, and, when the kind fixes it, the outcome.
 */
export interface KindSchema {
  kind: string;
  action: z.ZodType<string>;
  /** The payload schema of an action that `action` accepted. */
  payload(action: string): z.ZodType;
  outcome?: z.ZodType<Outcome>;
}
