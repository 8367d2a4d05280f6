/**
 * What verify-pack's section checks share: the unpacked pack, the check list they report to,
 * the trusted keys and the period. Apart from log-section-check.ts so the trust checks it
 * calls (trust-checks.ts) name it without importing their caller.
 */
import type { PackEntry } from "../core/pack/index.js";
import type { ErasureTally } from "./erasures.js";
import type { CheckList } from "./pack-checks.js";
import type { LogStateJson } from "./pack-manifest.js";

export interface SectionCheck {
  dir: string;
  checks: CheckList;
  /** Every file in the pack's directory. */
  present: ReadonlySet<string>;
  /** Keys a checkpoint may be signed with, and how the messages name them. */
  trusted: Uint8Array[];
  keyWords: string;
  /** The pack's period: recorded_at in [from, to). */
  from: string;
  to: string;
  /** Each entry once checked, for what verify-pack re-derives from the entries. */
  onEntry?(e: PackEntry, state: LogStateJson): void;
  /** Each evidence.attestation entry of the audit log after the period, once checked (after-period-check.ts). */
  onAfterPeriod?(e: PackEntry, state: LogStateJson): void;
  /** Counts the entries whose payload is left out (null), over all sections. */
  withheld: { count: number };
  /** Format-2 values, their erased markers and the records they name, over all sections (erasures.ts). */
  erasures: ErasureTally;
}
