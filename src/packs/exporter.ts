/**
 * The exporter plugin interface. An exporter names the framework and version it covers and
 * its controls: requirement id, our own one-line summary (never the standard's text), how the
 * control is tested, and which entries form its population. The pack builder computes every
 * population, sample, exception and result from those declarations; an exporter may also
 * render files of its own into the pack from a read-only view of the period.
 */
import type { PackEntry } from "../core/pack/index.js";
import type { PackModel } from "./pack-model.js";
import type { ControlSpec, PopulationLog } from "./control-spec.js";

export { type ControlSpec, EXCEPTION_KINDS, type ExceptionKind, type PopulationClause, type PopulationLog } from "./control-spec.js";

/** Files an exporter adds: text only, under a directory named by the exporter's id. */
export interface PackFiles {
  writeText(path: string, text: string): Promise<void>;
}

/** What an exporter's render sees: the finished model, and the period's entries as packed (read-only). */
export interface PackView {
  readonly model: Readonly<PackModel>;
  /** The entries of the subject log (or the audit log) in the period, in seq order, streamed. */
  entries(log: PopulationLog): AsyncIterable<PackEntry>;
}

export interface Exporter {
  /** Lower-case id used on the command line and in the API (`soc2`, `pci-dss`). */
  id: string;
  framework: string;
  version: string;
  controls: readonly ControlSpec[];
  /** Optional extra files of the exporter's own, under `<id>/`. */
  render?(view: PackView, files: PackFiles): Promise<void>;
}
