/**
 * The workpaper sections of report.pdf: the cover with management's assertion and the period
 * basis, a page per control with its procedure and sample, the exceptions register, the
 * reconciliation of populations to their sources, and the integrity sweeps as a calendar.
 * Every figure comes from the pack model; nothing here reads a file or a clock.
 */
import type PDFDocument from "pdfkit";
import { fromBase64, toHex } from "../../core/encoding/index.js";
import type { ControlOutcome, PackModel } from "../pack-model.js";
import { WITHHELD_FILE, withheldCounts } from "../documents.js";
import { ERASURES_FILE } from "../erasures.js";
import type { ReportSeal } from "../pack-hash.js";
import { ATTRIBUTE_LABELS, ATTRIBUTE_TESTS } from "../attributes.js";
import { sourcesAndSequences } from "./sources.js";
import { COLOURS, contentWidth, ensureSpace, heading, keyValues, MARGIN, mono, paragraph, table } from "./layout.js";

type Doc = InstanceType<typeof PDFDocument>;

export const RESULT_COLOUR: Record<string, string> = { satisfied: COLOURS.ok, exceptions: COLOURS.bad, attested: COLOURS.none, "not tested": COLOURS.none };

/** An ISO time as the report prints it: seconds, no milliseconds, one unbroken token. */
export const time = (iso: string): string => iso.replace(/\.\d+Z$/, "Z");

const subjectsOf = (m: PackModel) => m.logs.filter((l) => l.role === "subject");

/** The key ids (C2SP signed-note: the first 4 bytes of each signature line) that signed a checkpoint note. */
export function noteKeyIds(note: string): string[] {
  const sigs = note.split("\n\n")[1] ?? "";
  return sigs.split("\n").filter((l) => l.startsWith("\u2014 ")).map((l) => {
    const parts = l.split(" ");
    const sig = fromBase64(parts[2] ?? "");
    return `${parts[1]}+${sig && sig.length >= 4 ? toHex(sig.slice(0, 4)) : "?"}`;
  });
}

export function cover(doc: Doc, m: PackModel, seal: ReportSeal): void {
  const subjects = subjectsOf(m);
  doc.font("bold").fontSize(22).fillColor(COLOURS.ink).text(`${m.exporter.framework} evidence pack`, MARGIN, 70);
  doc.font("body").fontSize(11).fillColor(COLOURS.muted).text(`${m.exporter.version} · Type II: controls tested for operating effectiveness over the period, not at a point in time`);
  doc.moveDown(1);
  keyValues(doc, [
    ["Organisation", m.request.organisation],
    ["System description", m.request.scope],
    ["Framework", `${m.exporter.framework} ${m.exporter.version} (exporter ${m.exporter.id})`],
    ["Period (UTC)", `${time(m.request.from)} to ${time(m.request.to)}, end excluded`],
    ["Period basis", `entries recorded in the period by the ledger clock (recorded_at); each entry also shows when it occurred at its source. ${m.lateArrivals.count} entr${m.lateArrivals.count === 1 ? "y" : "ies"} recorded in the period occurred before it (late arrivals, listed under Reconciliation); events that occurred in the period but reach the ledger after it are the next period's late arrivals`],
    ["Auditor / requested by", `${m.request.requestedBy}, at ${time(m.request.requestedAt)}`],
    ["Pack id", m.packId],
    ["Generator", `${m.generator.name} ${m.generator.version}`],
    ...(m.withheld ? [["Payloads withheld", withheldWords(m)] as [string, string]] : []),
    ...(m.erasures ? [["Values erased", erasedCount(m)] as [string, string]] : []),
    ...subjects.flatMap((s): [string, string][] => [
      ["Log", `${s.name} (${s.origin}): entries ${s.firstSeq} to ${s.endSeq - 1} (${s.endSeq - s.firstSeq}) of a tree signed at size ${s.checkpoint.size}`],
      ["Checkpoint root", s.checkpoint.root],
      ["Checkpoint key", noteKeyIds(s.checkpoint.note).join(", ") || "none"],
    ]),
    ["Pack hash", seal.packHash],
    ["Signing key", `${seal.signingKey} (Ed25519, signing-key.pem)`],
    ["Hashes", "the pack hash is the SHA-256 of SHA256SUMS without this report's line; SHA256SUMS lists every file's SHA-256 (this PDF among them) and is signed by signing-key.pem (SHA256SUMS.sig); the signing key's fingerprint is the SHA-256 of its raw public key; each population's SHA-256 is on its control's page (Chain of custody: how to recompute each)"],
  ], 9);
  const counts = { satisfied: 0, exceptions: 0, attested: 0, "not tested": 0 } as Record<string, number>;
  for (const c of m.controls) counts[c.result] = (counts[c.result] ?? 0) + 1;
  paragraph(doc, `${m.controls.length} controls: ${counts.satisfied} satisfied, ${counts.exceptions} with exceptions, ${(counts.attested ?? 0) > 0 ? `${counts.attested} attested (evidence attached for the auditor to inspect), ` : ""}${counts["not tested"]} not tested (needing evidence). ${m.exceptions.length} exceptions in the register.`, 9.5);
  ensureSpace(doc, 120);
  heading(doc, "Management's assertion", 12);
  paragraph(doc, `Management of ${m.request.organisation} asserts that the system described above was subject to the controls listed in this pack throughout the period, and that they operated effectively except as stated in the exceptions register. sealtrail records no assertion: management signs it below, and the auditor tests it against the evidence that follows.`, 8.5);
  keyValues(doc, [["Signed for management", "name ______________________  signature ______________________  date ____________"]], 8.5);
  paragraph(doc, "Requirement ids are the frameworks' own; every summary in this pack is sealtrail's, not the standard's text. Mappings marked (ours) are sealtrail's judgement. Verify this pack offline: sha256sum -c SHA256SUMS, then openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig, or sealtrail verify-pack, which also renders this PDF again and compares it byte for byte.", 7.5);
}

export function matrix(doc: Doc, m: PackModel): void {
  heading(doc, "Control → evidence");
  // The requirement column fits the longest id on one line (164.308(a)(1)(ii)(D)), so ids read whole.
  const longest = Math.max(...m.controls.map((c) => doc.font("bold").fontSize(8).widthOfString(c.spec.id)));
  const req = Math.min(0.24, Math.max(0.1, (longest + 10) / contentWidth(doc)));
  const rest = 1 - req - 0.13 - 0.1;
  table(doc, [
    { header: "Req.", width: req, font: "bold" },
    { header: "Summary (ours)", width: 0.45 * rest },
    { header: "Procedure", width: 0.55 * rest },
    { header: "Population", width: 0.1 },
    { header: "Result", width: 0.13, font: "bold", colour: (v) => RESULT_COLOUR[v.split("\n")[0]!] },
  ], m.controls.map((c) => [
    c.spec.id,
    c.spec.summary + (c.spec.ours ? " (ours)" : ""),
    c.spec.method,
    c.population ? String(c.population.count) : "attestation",
    c.result + (c.result === "not tested" ? "\nneeds evidence" : c.result === "attested" ? "\ninspect the file" : "") + (c.exceptionIds.length > 0 ? `\n${c.exceptionIds.length} exception${c.exceptionIds.length === 1 ? "" : "s"}` : ""),
  ]), 7.5);
}

/** A control's page: what it requires (our words), the procedure, the population, the sample with each item's attributes. */
function controlPage(doc: Doc, m: PackModel, c: ControlOutcome): void {
  // A control starts on a fresh page only when less than a third of this one is left.
  ensureSpace(doc, (doc.page.height - 2 * MARGIN) / 3);
  heading(doc, `${c.spec.id}: ${c.spec.summary}${c.spec.ours ? " (ours)" : ""}`, 11.5);
  const p = c.population;
  keyValues(doc, [
    ["Result", `${c.result}: ${c.reason}`],
    ["Procedure", c.spec.method],
    ...(c.operation ? [["Operating evidence", `${c.operation.needs}: ${c.operation.count} in the period`] as [string, string]] : []),
    ...(c.attestations ?? []).map((a): [string, string] => ["Attested evidence", `${a.packFile} (${a.file.size} bytes, ${a.file.mediaType}), SHA-256 ${a.file.sha256}; recorded by ${a.by} at ${a.recordedAt.slice(0, 19)}Z (${a.logName} seq ${a.seq}, proof ${a.proofFile})${a.period ? `; covers ${a.period.from.slice(0, 19)}Z to ${a.period.to.slice(0, 19)}Z` : ""}${a.note ? `; note: ${a.note}` : ""}`]),
    ...(c.spec.attestation ? [["Attestation", "re-performed: the signed checkpoint, the range proof and the hash chain of every entry of the period (Integrity)"] as [string, string]] : []),
    ...(p ? [
      ["Population", `${p.count} entries · ${p.file}`] as [string, string],
      ["Population SHA-256", p.sha256] as [string, string],
      ["Sampling", `${p.sample.length} of ${p.count} (${p.sampling.frequency}): ${p.sampling.basis}`] as [string, string],
    ] : []),
    ["Exceptions", c.exceptionIds.length > 0 ? c.exceptionIds.join(", ") : c.spec.exceptions?.length ? `none of the kinds it counts (${c.spec.exceptions.join(", ")})` : "no exception rule applies"],
  ], 8);
  if (p) mono(doc, p.query, 6);
  if (!p || p.sample.length === 0) return;
  const flagged = new Map<string, string>();
  for (const id of c.exceptionIds) {
    const x = m.exceptions.find((e) => e.id === id);
    for (const seq of x?.seqs ?? []) flagged.set(`${x!.logName}\n${seq}`, id);
  }
  const attributes = c.spec.attributes ?? [];
  // The attribute columns share what the entry's columns leave; each cell is pass, fail or n/a.
  const each = attributes.length > 0 ? Math.min(0.1, 0.18 / attributes.length) : 0;
  const base = attributes.length > 0 ? 0.71 : 0.75;
  const colour = (v: string) => (v === "fail" || v.startsWith("exception") ? COLOURS.bad : v === "n/a" ? COLOURS.none : COLOURS.ok);
  table(doc, [
    { header: "Entry", width: 0.12, font: "mono" },
    { header: "Occurred (UTC)", width: 0.2, font: "mono" },
    { header: "Kind / action", width: attributes.length > 0 ? 0.14 : 0.18 },
    { header: "Actor", width: 0.11 },
    { header: "Outcome", width: 0.07 },
    { header: "Proof", width: 0.07 },
    ...attributes.map((id) => ({ header: ATTRIBUTE_LABELS[id], width: each, colour })),
    { header: "Exceptions", width: 1 - base - each * attributes.length, colour },
  ], p.sample.map((s) => [
    `${s.logName} ${s.seq}`,
    time(s.occurredAt),
    `${s.kind} ${s.action}`,
    s.actor,
    s.outcome,
    "included",
    ...attributes.map((id) => s.attributes[id] ?? "n/a"),
    flagged.has(`${s.logName}\n${s.seq}`) ? `exception ${flagged.get(`${s.logName}\n${s.seq}`)}` : "none",
  ]), 6.8);
  if (attributes.length > 0) paragraph(doc, "Attributes tested: " + attributes.map((id) => `${ATTRIBUTE_LABELS[id]}: ${ATTRIBUTE_TESTS[id]}.`).join(" "), 6.8);
}

export function controlPages(doc: Doc, m: PackModel): void {
  heading(doc, "Controls tested");
  paragraph(doc, `Seed ${m.seed}. ${m.sampling.method} Each sampled entry's inclusion proof is in the inclusion/ directory of its log's section ("Proof: included"); each attribute the control tests is pass, fail (a deviation: the control has exceptions) or n/a (it does not apply to the entry), and "Exceptions" names any exception of the kinds the control counts that shows the entry.`, 8);
  for (const c of m.controls) controlPage(doc, m, c);
}

export function exceptionsRegister(doc: Doc, m: PackModel): void {
  ensureSpace(doc, 200);
  heading(doc, "Exceptions register");
  if (m.exceptions.length === 0) {
    paragraph(doc, "No exceptions were found in the period.");
    return;
  }
  paragraph(doc, "Root cause and management response are for management to state; the ledger does not record them, and the register says so until they are given.", 8);
  table(doc, [
    { header: "Id", width: 0.08, font: "bold" },
    { header: "Kind / controls", width: 0.16 },
    { header: "What", width: 0.29 },
    { header: "Root cause", width: 0.14 },
    { header: "Management response", width: 0.21 },
    { header: "Remediation", width: 0.12 },
  ], m.exceptions.map((x) => [
    x.id,
    `${x.kind}\n${x.controls.join(", ") || "none of this framework"}`,
    `${x.description}${x.seqs.length > 0 ? ` (${x.logName} seq ${x.seqs.slice(0, 5).join(", ")}${x.seqs.length > 5 ? " …" : ""})` : ""}`,
    x.rootCause, x.managementResponse, x.remediation,
  ]), 6.8);
}

export function reconciliation(doc: Doc, m: PackModel): void {
  ensureSpace(doc, 200);
  heading(doc, "Reconciliation");
  paragraph(doc, "Each log's entries of the period are one gapless run of seqs: every seq from the first to the last is in its events file, re-hashed and chained, and the range proof shows they are exactly the signed tree's leaves for the period, with nothing added, missing or moved. Each population is the query on its control's page run over these runs.", 8);
  table(doc, [
    { header: "Log", width: 0.22 },
    { header: "Role", width: 0.1 },
    { header: "Seqs", width: 0.22, font: "mono" },
    { header: "Entries", width: 0.12 },
    { header: "Tree size", width: 0.12 },
    { header: "Missing seqs", width: 0.22 },
  ], m.logs.map((l) => [l.name, l.role, `${l.firstSeq}–${l.endSeq - 1}`, String(l.endSeq - l.firstSeq), String(l.checkpoint.size), "none (range proof)"]), 7.5);
  const counted = Object.values(m.totals.perLog).reduce((a, b) => a + b, 0);
  paragraph(doc, `Entries counted in the subject logs: ${counted}, the sum of their seq runs (${m.totals.entries}); audit log: ${m.totals.auditEntries}.`, 8);
  sourcesAndSequences(doc, m);
  heading(doc, "Late arrivals", 10.5);
  if (m.lateArrivals.count === 0) {
    paragraph(doc, "Every entry recorded in the period occurred in it.", 8);
    return;
  }
  paragraph(doc, `${m.lateArrivals.count} entr${m.lateArrivals.count === 1 ? "y" : "ies"} recorded in the period occurred before it${m.lateArrivals.count > m.lateArrivals.first.length ? `; the first ${m.lateArrivals.first.length} are listed` : ""}.`, 8);
  table(doc, [
    { header: "Entry", width: 0.3, font: "mono" },
    { header: "Occurred (UTC)", width: 0.25, font: "mono" },
    { header: "Recorded (UTC)", width: 0.25, font: "mono" },
    { header: "Delay", width: 0.2 },
  ], m.lateArrivals.first.map((x) => [`${x.log} ${x.seq}`, time(x.occurredAt), time(x.recordedAt), delay(Date.parse(x.recordedAt) - Date.parse(x.occurredAt))]), 7);
}

function delay(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 48 ? `${(h / 24).toFixed(1)} days` : h >= 1 ? `${h.toFixed(1)} hours` : `${Math.round(ms / 60_000)} minutes`;
}

/** The sweeps as a calendar: a cell per UTC day of the period, green all verified, red a failure, amber none; failures detailed below. */
export function sweepCalendar(doc: Doc, m: PackModel): void {
  ensureSpace(doc, 160);
  heading(doc, "Integrity sweeps, by day", 11);
  const perDay = new Map<string, { ok: number; bad: number }>();
  for (const s of m.sweeps) {
    const d = s.at.slice(0, 10);
    const c = perDay.get(d) ?? { ok: 0, bad: 0 };
    if (s.result === "verified") c.ok++;
    else c.bad++;
    perDay.set(d, c);
  }
  const days = m.perDay.map((d) => d.day);
  const cols = 7;
  const cellW = contentWidth(doc) / cols;
  const cellH = 26;
  const rows = Math.ceil(days.length / cols);
  if (days.length <= 800) {
    for (let r = 0; r < rows; r++) {
      ensureSpace(doc, cellH + 4);
      const y = doc.y;
      for (let c = 0; c < cols; c++) {
        const day = days[r * cols + c];
        if (!day) continue;
        const v = perDay.get(day);
        const colour = !v ? COLOURS.warn : v.bad > 0 ? COLOURS.bad : COLOURS.ok;
        const x = MARGIN + c * cellW;
        doc.rect(x + 1, y + 1, cellW - 2, cellH - 2).fillOpacity(0.18).fill(colour).fillOpacity(1);
        doc.font("mono").fontSize(6.5).fillColor(COLOURS.ink).text(day, x + 4, y + 4, { lineBreak: false });
        doc.font("body").fontSize(6.5).fillColor(colour).text(!v ? "no sweep" : `${v.ok} verified${v.bad ? `, ${v.bad} failed` : ""}`, x + 4, y + 14, { lineBreak: false });
      }
      doc.y = y + cellH;
    }
    doc.x = MARGIN;
    doc.moveDown(0.5);
  }
  const failed = m.sweeps.filter((s) => s.result !== "verified");
  const gaps = days.filter((d) => !perDay.has(d));
  paragraph(doc, `${m.sweeps.length} sweeps over ${days.length} days: ${m.sweeps.length - failed.length} verified, ${failed.length} failed; ${gaps.length} day${gaps.length === 1 ? "" : "s"} without a sweep${gaps.length > 0 ? ` (${gaps.slice(0, 10).join(", ")}${gaps.length > 10 ? " …" : ""})` : ""}.`, 8);
  if (failed.length === 0) return;
  table(doc, [
    { header: "Log", width: 0.16 },
    { header: "Audit seq", width: 0.1, font: "mono" },
    { header: "At (UTC)", width: 0.22, font: "mono" },
    { header: "Result", width: 0.12, font: "bold", colour: (v) => (v === "tampered" ? COLOURS.bad : COLOURS.warn) },
    { header: "Tree size", width: 0.1 },
    { header: "Finding", width: 0.3 },
  ], failed.map((s) => [s.log, String(s.seq), time(s.at), s.result, s.toSize === null ? "—" : String(s.toSize), s.tamperClass ? `${s.tamperClass}${s.firstBadSeq !== null ? ` at seq ${s.firstBadSeq}` : ""}` : "the sweep could not complete"]), 7);
}

/** The cover's count of values erased or expired (erasures.ts): how many, and under which requests. */
function erasedCount(m: PackModel): string {
  const e = m.erasures!;
  if (e.values === 0) return "none: every actor, resource and payload of the period's format-2 entries is shown, opened against its commitment";
  const requests = e.records.map((r) => `${r.kind} ${r.request ?? "unnamed"} (record ${r.seq} of ${r.log})`);
  return `${e.values} value${e.values === 1 ? "" : "s"} of ${e.entries} entr${e.entries === 1 ? "y" : "ies"} erased or expired under ${requests.join(", ")}; listed in ${ERASURES_FILE}, shown as erased where they were; their commitments still prove inclusion`;
}

/** The cover's count of payloads left out (secrets.ts): how many, and why. */
function withheldWords(m: PackModel): string {
  const w = withheldCounts(m);
  return w.count === 0 ? "none: every payload of the period is shown" : `${w.count} (${w.secrets} matching a secret rule, ${w.absent} absent in the ledger), listed in ${WITHHELD_FILE}; their hashes still prove inclusion`;
}
