/**
 * report.pdf: the pack for a person. Every figure comes from the pack model, which the other
 * files render too. Deterministic: fixed document dates (the request time), fonts embedded
 * from the package, no random ids (pdfkit derives the file id from the info dictionary).
 */
import PDFDocument from "pdfkit";
import type { PackModel } from "../pack-model.js";
import { REPORT_INFO, type ReportSeal } from "../pack-hash.js";
import { dailyChart, eventsPerDayChart, sweepsChart } from "./charts.js";
import { FONTS } from "./fonts.js";
import { COLOURS, ensureSpace, heading, keyValues, MARGIN, mono, paragraph } from "./layout.js";
import { erasedWords } from "../erasures.js";
import { controlPages, cover, exceptionsRegister, matrix, noteKeyIds, reconciliation, sweepCalendar } from "./workpaper.js";

/**
 * Renders the report and returns its bytes. `seal`: the pack hash of the files written before
 * the report and the fingerprint of the key that seals them (pack-hash.ts), printed on the
 * cover and the custody page and kept in the document information for verify.mjs.
 */
export async function renderReport(m: PackModel, seal: ReportSeal): Promise<Buffer> {
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
      // Custom keys of the information dictionary (ISO 32000-1 14.3.3 allows any): pdfkit writes every key given.
      ...({ [REPORT_INFO.packHash]: seal.packHash, [REPORT_INFO.signingKey]: seal.signingKey } as object),
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

  cover(doc, m, seal);
  doc.addPage();
  matrix(doc, m);
  charts(doc, m);
  controlPages(doc, m);
  exceptionsRegister(doc, m);
  reconciliation(doc, m);
  attestation(doc, m);
  custody(doc, m, seal);
  footers(doc, m);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

type Doc = InstanceType<typeof PDFDocument>;

const subjectsOf = (m: PackModel) => m.logs.filter((l) => l.role === "subject");

function charts(doc: Doc, m: PackModel): void {
  // Keep the heading with its chart.
  ensureSpace(doc, 260);
  heading(doc, "Entries per day, by kind");
  paragraph(doc, `${m.totals.entries} entries in the period (${subjectsOf(m).map((l) => `${l.name} ${m.totals.perLog[l.name] ?? 0}`).join(", ")}); ${m.totals.auditEntries} entries of the tenant's audit log.`);
  eventsPerDayChart(doc, m);
  ensureSpace(doc, 300);
  heading(doc, "Failed log-ins, changes approved, privileged sessions", 13);
  dailyChart(doc, m, "Log-ins per day", [{ key: "logins", label: "succeeded", colour: COLOURS.ok, minus: "failedLogins" }, { key: "failedLogins", label: "failed", colour: COLOURS.bad }]);
  dailyChart(doc, m, "Deployments and configuration changes per day", [{ key: "approvedChanges", label: "approved", colour: COLOURS.ok }, { key: "unapprovedChanges", label: "without approval", colour: COLOURS.bad }]);
  dailyChart(doc, m, "Privileged terminal sessions per day", [{ key: "sessions", label: "sessions captured", colour: "#8250df" }]);
  ensureSpace(doc, 130);
  heading(doc, "Integrity sweeps over the period", 13);
  sweepsChart(doc, m);
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
      ...erasedRows(m, l.name),
    ], 8);
    mono(doc, l.checkpoint.note, 7);
    if (l.role !== "subject") continue;
    if (l.previous) {
      paragraph(doc, `Consistency with the previous pack ${l.previous.packId}: its checkpoint of ${l.name} (size ${l.previous.size}, root ${l.previous.root}) is a prefix of this one by the RFC 9162 consistency proof in ${l.previous.proofFile}.`);
    } else {
      paragraph(doc, `No earlier pack of ${l.name} is recorded in the ledger: no consistency proof from a previous pack.`);
    }
  }
  sweepCalendar(doc, m);
}

/** A log's erased values: how many, under which records and requests (never the values). */
function erasedRows(m: PackModel, log: string): [string, string][] {
  const records = (m.erasures?.records ?? []).filter((r) => r.log === log && r.values > 0);
  if (records.length === 0) return [];
  return [["Erased values", records.map((r) => `${r.values} value${r.values === 1 ? "" : "s"} of ${r.entries} entr${r.entries === 1 ? "y" : "ies"} ${erasedWords(r)}: ${r.kind === "expiry" ? r.reason ?? "retention" : `${r.reason ?? "no reason given"}, ${r.legalBasis ?? "no legal basis given"}`}${r.approvedBy ? `, approved by ${r.approvedBy}` : ""} (${r.file})`).join("; ")]];
}

function custody(doc: Doc, m: PackModel, seal: ReportSeal): void {
  heading(doc, "Chain of custody");
  const audit = m.logs.find((l) => l.role === "audit");
  keyValues(doc, [
    ["Requested by", m.request.requestedBy],
    ["Requested at", m.request.requestedAt],
    ["Recipient", m.request.recipient ?? "not named (sealtrail pack --recipient)"],
    ...(m.request.note ? [["Requester's note", m.request.note] as [string, string]] : []),
    ["Built from", `${subjectsOf(m).map((s) => `log ${s.name} at checkpoint size ${s.checkpoint.size}`).join("; ")}; ${audit ? `audit log ${audit.name} at checkpoint size ${audit.checkpoint.size}` : "no audit log section"}`],
    ["Generator", `${m.generator.name} ${m.generator.version}, exporter ${m.exporter.id}`],
    ...m.logs.map((l): [string, string] => [`Checkpoint key, ${l.name}`, noteKeyIds(l.checkpoint.note).join(", ") || "none"]),
    ["Signature", "SHA256SUMS lists every other file; SHA256SUMS.sig is its Ed25519 signature by signing-key.pem"],
    ["Signing key", seal.signingKey],
    ["", "the SHA-256 of the raw Ed25519 public key in signing-key.pem; compare it with the fingerprint the company gave you for its pack key (VERIFY.md, step 4, recomputes it with openssl)"],
    ["Pack hash", seal.packHash],
    ["", "the SHA-256 of SHA256SUMS without the line of report.pdf, which cannot list itself: it covers every file of the pack but this report, whose own SHA-256 is in SHA256SUMS (VERIFY.md, step 4, recomputes it with sha256sum)"],
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
