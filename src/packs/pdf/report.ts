/**
 * report.pdf: the pack for a person. Every figure comes from the pack model, which the other
 * files render too. Deterministic: fixed document dates (the request time), fonts embedded
 * from the package, no random ids (pdfkit derives the file id from the info dictionary).
 */
import PDFDocument from "pdfkit";
import type { PackModel } from "../pack-model.js";
import { eventsPerDayChart, sweepsChart } from "./charts.js";
import { FONTS } from "./fonts.js";
import { COLOURS, contentWidth, ensureSpace, heading, keyValues, MARGIN, mono, paragraph, table } from "./layout.js";

const RESULT_COLOUR: Record<string, string> = { satisfied: COLOURS.ok, exceptions: COLOURS.bad, "not tested": COLOURS.none };

/** Renders the report and returns its bytes. */
export async function renderReport(m: PackModel): Promise<Buffer> {
  const created = new Date(m.request.requestedAt);
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `${m.exporter.framework} evidence pack ${m.packId}`,
      Author: m.request.organisation,
      Subject: `${m.request.logs.join(", ")}, ${m.request.from} to ${m.request.to}`,
      Creator: `${m.generator.name} ${m.generator.version}`,
      Producer: `${m.generator.name} ${m.generator.version}`,
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });
  doc.registerFont("body", FONTS.body);
  doc.registerFont("bold", FONTS.bold);
  doc.registerFont("mono", FONTS.mono);

  cover(doc, m);
  doc.addPage();
  matrix(doc, m);
  charts(doc, m);
  populations(doc, m);
  samples(doc, m);
  exceptions(doc, m);
  attestation(doc, m);
  custody(doc, m);
  footers(doc, m);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

type Doc = InstanceType<typeof PDFDocument>;

const subjectsOf = (m: PackModel) => m.logs.filter((l) => l.role === "subject");

function cover(doc: Doc, m: PackModel): void {
  const subjects = subjectsOf(m);
  doc.font("bold").fontSize(26).fillColor(COLOURS.ink).text(`${m.exporter.framework} evidence pack`, MARGIN, 120);
  doc.font("body").fontSize(12).fillColor(COLOURS.muted).text(m.exporter.version);
  doc.moveDown(2);
  keyValues(doc, [
    ["Organisation", m.request.organisation],
    ["Scope", m.request.scope],
    ["Framework", `${m.exporter.framework} ${m.exporter.version} (exporter ${m.exporter.id})`],
    ["Period (UTC)", `${m.request.from} to ${m.request.to} (ledger clock, end excluded)`],
    ["Pack id", m.packId],
    ["Generator", `${m.generator.name} ${m.generator.version}`],
    // Each log with its checkpoint root on a line of its own, so the root reads (and searches) whole.
    ...subjects.flatMap((s): [string, string][] => [
      ["Log", `${s.name} (${s.origin}): entries ${s.firstSeq} to ${s.endSeq - 1} (${s.endSeq - s.firstSeq}) of a tree signed at size ${s.checkpoint.size}`],
      ["Checkpoint root", s.checkpoint.root],
    ]),
    ["Requested by", `${m.request.requestedBy} at ${m.request.requestedAt}`],
  ], 10);
  doc.moveDown(1);
  const counts = { satisfied: 0, exceptions: 0, "not tested": 0 } as Record<string, number>;
  for (const c of m.controls) counts[c.result] = (counts[c.result] ?? 0) + 1;
  paragraph(doc, `${m.controls.length} controls: ${counts.satisfied} satisfied, ${counts.exceptions} with exceptions, ${counts["not tested"]} not tested (needing evidence). ${m.exceptions.length} exceptions in the register.`, 10);
  paragraph(doc, "Requirement ids are the frameworks' own; every summary in this pack is sealtrail's, not the standard's text. Mappings marked (ours) are sealtrail's judgement. Verify this pack offline: sha256sum -c SHA256SUMS, then openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig, or sealtrail verify-pack.", 8);
}

function matrix(doc: Doc, m: PackModel): void {
  heading(doc, "Control → evidence");
  // The requirement column fits the longest id on one line (164.308(a)(1)(ii)(D)), so ids read whole.
  const longest = Math.max(...m.controls.map((c) => doc.font("bold").fontSize(8).widthOfString(c.spec.id)));
  const req = Math.min(0.24, Math.max(0.1, (longest + 10) / contentWidth(doc)));
  const rest = (1 - req - 0.13) / 0.75;
  table(doc, [
    { header: "Req.", width: req, font: "bold" },
    { header: "Summary (ours)", width: 0.28 * rest },
    { header: "Method", width: 0.25 * rest },
    { header: "Evidence", width: 0.22 * rest, font: "mono" },
    { header: "Result", width: 0.13, font: "bold", colour: (v) => RESULT_COLOUR[v.split("\n")[0]!] },
  ], m.controls.map((c) => [
    c.spec.id,
    c.spec.summary + (c.spec.ours ? " (ours)" : ""),
    c.result === "not tested" ? `${c.spec.method}\nNot tested, ${c.reason}` : c.spec.method,
    c.evidence.join("\n") || "—",
    c.result + (c.result === "not tested" ? "\nneeds evidence" : "") + (c.exceptionIds.length > 0 ? `\n${c.exceptionIds.slice(0, 4).join(", ")}${c.exceptionIds.length > 4 ? " …" : ""}` : ""),
  ]));
}

function charts(doc: Doc, m: PackModel): void {
  // Keep the heading with its chart.
  ensureSpace(doc, 260);
  heading(doc, "Entries per day, by kind");
  paragraph(doc, `${m.totals.entries} entries in the period (${subjectsOf(m).map((l) => `${l.name} ${m.totals.perLog[l.name] ?? 0}`).join(", ")}); ${m.totals.auditEntries} entries of the tenant's audit log.`);
  eventsPerDayChart(doc, m);
  ensureSpace(doc, 130);
  heading(doc, "Integrity sweeps over the period", 13);
  sweepsChart(doc, m);
}

function populations(doc: Doc, m: PackModel): void {
  heading(doc, "Populations");
  paragraph(doc, "Each population is the result of the query shown, run on the ledger with the parameters given; the file's SHA-256 is listed in SHA256SUMS.");
  keyValues(doc, [
    ["$periods", m.logs.map((l) => `(${l.role}, ${l.name}, ${l.firstSeq}, ${l.endSeq})`).join(", ")],
  ], 8);
  for (const c of m.controls) {
    const p = c.population;
    if (!p) continue;
    keyValues(doc, [[c.spec.id, `${p.count} entries · ${p.file} · sha256 ${p.sha256}`]], 8);
    mono(doc, p.query, 6.5);
  }
}

function samples(doc: Doc, m: PackModel): void {
  heading(doc, "Samples");
  paragraph(doc, `Seed ${m.seed}. ${m.sampling.method} Each sampled entry has an inclusion proof in the inclusion/ directory of its log's section.`);
  const rows: string[][] = [];
  for (const c of m.controls) {
    for (const s of c.population?.sample ?? []) rows.push([c.spec.id, `${s.logName} ${s.seq}`, s.occurredAt, `${s.kind} / ${s.action}`, s.actor, s.outcome, s.rank.slice(0, 10)]);
  }
  if (rows.length === 0) {
    paragraph(doc, "No population holds entries: nothing to sample.");
    return;
  }
  table(doc, [
    { header: "Control", width: 0.12, font: "bold" },
    { header: "Entry", width: 0.15 },
    { header: "Occurred (UTC)", width: 0.18 },
    { header: "Kind / action", width: 0.2 },
    { header: "Actor", width: 0.15 },
    { header: "Outcome", width: 0.09 },
    { header: "Rank", width: 0.11, font: "mono" },
  ], rows, 7);
}

function exceptions(doc: Doc, m: PackModel): void {
  heading(doc, "Exceptions");
  if (m.exceptions.length === 0) {
    paragraph(doc, "No exceptions were found in the period.");
    return;
  }
  table(doc, [
    { header: "Id", width: 0.09, font: "bold" },
    { header: "Kind", width: 0.13 },
    { header: "Controls", width: 0.13 },
    { header: "What", width: 0.42 },
    { header: "Remediation", width: 0.23 },
  ], m.exceptions.map((x) => [x.id, x.kind, x.controls.join(", ") || "none of this framework", `${x.description}${x.seqs.length > 0 ? ` (${x.logName} seq ${x.seqs.slice(0, 5).join(", ")}${x.seqs.length > 5 ? " …" : ""})` : ""}`, x.remediation]), 7.5);
}

function attestation(doc: Doc, m: PackModel): void {
  heading(doc, "Integrity attestation");
  for (const l of m.logs) {
    heading(doc, `${l.role === "subject" ? "Log" : "Audit log"} ${l.name}`, 11);
    keyValues(doc, [
      ["Entries", `seq ${l.firstSeq} to ${l.endSeq - 1}: ${l.endSeq - l.firstSeq} entries, none missing (every seq re-hashed and chained; range proof ${l.rangeFile})`],
      ["Boundaries", `${l.beforeSeq !== null ? `entry ${l.beforeSeq} was recorded before the period` : "the period starts at the log's first entry"}; ${l.afterSeq !== null ? `entry ${l.afterSeq} at or after its end` : "the period reaches the end of the signed tree"} (each proved by its inclusion proof in the range file)`],
      ["Checkpoint", `${l.checkpointFile}: size ${l.checkpoint.size} (root below, base64)`],
      ["Checkpoint root", l.checkpoint.root],
      ["Chain", `before ${l.chainBefore.slice(0, 16)}…, after ${l.chainAfter.slice(0, 16)}…`],
      ["Events file", `${l.eventsFile} sha256 ${l.eventsSha256}`],
    ], 8);
    mono(doc, l.checkpoint.note, 7);
    if (l.role !== "subject") continue;
    if (l.previous) {
      paragraph(doc, `Consistency with the previous pack ${l.previous.packId}: its checkpoint of ${l.name} (size ${l.previous.size}, root ${l.previous.root}) is a prefix of this one by the RFC 9162 consistency proof in ${l.previous.proofFile}.`);
    } else {
      paragraph(doc, `No earlier pack of ${l.name} is recorded in the ledger: no consistency proof from a previous pack.`);
    }
  }
  heading(doc, "Sweeps in the period", 11);
  if (m.sweeps.length === 0) paragraph(doc, "No integrity sweep of the packed logs was recorded in the period.");
  else table(doc, [
    { header: "Log", width: 0.16 },
    { header: "Audit seq", width: 0.1 },
    { header: "At (UTC)", width: 0.22 },
    { header: "Result", width: 0.14, font: "bold", colour: (v) => (v === "verified" ? COLOURS.ok : v === "tampered" ? COLOURS.bad : COLOURS.warn) },
    { header: "Tree size", width: 0.1 },
    { header: "Finding", width: 0.28 },
  ], m.sweeps.map((s) => [s.log, String(s.seq), s.at, s.result, s.toSize === null ? "—" : String(s.toSize), s.tamperClass ? `${s.tamperClass}${s.firstBadSeq !== null ? ` at seq ${s.firstBadSeq}` : ""}` : "—"]), 7.5);
}

function custody(doc: Doc, m: PackModel): void {
  heading(doc, "Chain of custody");
  const audit = m.logs.find((l) => l.role === "audit");
  keyValues(doc, [
    ["Requested by", m.request.requestedBy],
    ["Requested at", m.request.requestedAt],
    ["Built from", `${subjectsOf(m).map((s) => `log ${s.name} at checkpoint size ${s.checkpoint.size}`).join("; ")}; ${audit ? `audit log ${audit.name} at checkpoint size ${audit.checkpoint.size}` : "no audit log section"}`],
    ["Generator", `${m.generator.name} ${m.generator.version}, exporter ${m.exporter.id}`],
    ["Signature", "SHA256SUMS lists every other file; SHA256SUMS.sig is its Ed25519 signature by signing-key.pem"],
    ["Recorded", `the build is recorded as a pack.build entry in the tenant's audit log (PCI DSS 10.2.1.3)`],
  ], 9);
}

function footers(doc: Doc, m: PackModel): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font("body").fontSize(7).fillColor(COLOURS.muted).text(`${m.exporter.framework} evidence pack ${m.packId} · page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - 30, { width: doc.page.width - 2 * MARGIN, align: "center", lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}
