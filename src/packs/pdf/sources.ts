/**
 * The reconciliation's part for the sources (sequence-gaps.ts): each subject log's entries per
 * source, the captured pane streams, and every gap in a stream's chunk seqs with the entries on
 * either side and the exception it raised. Every figure comes from the pack model.
 */
import type PDFDocument from "pdfkit";
import type { PackModel } from "../pack-model.js";
import { RECONCILIATION_FILE } from "../documents.js";
import { streamWords } from "../sequence-gaps.js";
import { COLOURS, heading, paragraph, table } from "./layout.js";

type Doc = InstanceType<typeof PDFDocument>;

/** Sources listed in the table; the rest are counted (reconciliation.json has them all). */
const SOURCES_LISTED = 40;

export function sourcesAndSequences(doc: Doc, m: PackModel): void {
  const r = m.reconciliation;
  if (!r) return;
  heading(doc, "Sources and chunk sequences", 10.5);
  paragraph(doc, `Entries of the period per log and source. Each captured tmux pane stream (host/server/pane) numbers its output chunks without a hole, so a chunk seq missing between two chunks of the period is output the ledger did not receive; a stream's chunks before its first one of the period belong to earlier periods. Webhook and API sources carry delivery ids, not sequences: their deliveries cannot be checked for gaps. All of it is in ${RECONCILIATION_FILE}.`, 8);
  table(doc, [
    { header: "Log", width: 0.35 },
    { header: "Source", width: 0.45 },
    { header: "Entries", width: 0.2 },
  ], r.sources.slice(0, SOURCES_LISTED).map((s) => [s.log, s.source || "(empty)", String(s.entries)]), 7.5);
  if (r.sources.length > SOURCES_LISTED) paragraph(doc, `${r.sources.length - SOURCES_LISTED} more sources, in ${RECONCILIATION_FILE}.`, 8);
  const chunks = r.streams.reduce((n, s) => n + s.chunks, 0);
  const missing = r.streams.reduce((n, s) => n + s.missing, 0);
  paragraph(doc, `${r.streams.length} captured pane stream${r.streams.length === 1 ? "" : "s"}, ${chunks} chunks in the period; ${r.gapCount === 0 ? "no gap in any chunk sequence" : `${r.gapCount} gap${r.gapCount === 1 ? "" : "s"}, ${missing} chunk${missing === 1 ? "" : "s"} missing`}${r.chunksNotShown > 0 ? `; ${r.chunksNotShown} chunk payload${r.chunksNotShown === 1 ? " is" : "s are"} not shown (withheld.json), so their chunk seqs are unknown` : ""}.`, 8);
  if (r.gaps.length === 0) return;
  const raised = new Map(m.exceptions.filter((x) => x.kind === "sequence-gap").map((x) => [`${x.logName}\n${x.seqs.join(",")}`, x.id]));
  table(doc, [
    { header: "Log", width: 0.14 },
    { header: "Pane stream", width: 0.26 },
    { header: "Missing chunks", width: 0.16, font: "mono" },
    { header: "Entry before (chunk)", width: 0.15, font: "mono" },
    { header: "Entry after (chunk)", width: 0.15, font: "mono" },
    { header: "Exception", width: 0.14, colour: (v) => (v.startsWith("EX-") ? COLOURS.bad : COLOURS.warn) },
  ], r.gaps.map((g) => [
    g.log,
    `${streamWords(g.stream)} (source ${g.source})`,
    g.from === g.to ? String(g.from) : `${g.from}–${g.to} (${g.missing})`,
    `${g.before.seq} (${g.before.chunk})`,
    `${g.after.seq} (${g.after.chunk})`,
    raised.get(`${g.log}\n${g.before.seq},${g.after.seq}`) ?? `none: ${g.notShownBetween} payloads not shown between`,
  ]), 7);
  if (r.gapCount > r.gaps.length) paragraph(doc, `${r.gapCount - r.gaps.length} more gaps, counted, not listed.`, 8);
}
