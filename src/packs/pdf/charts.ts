/**
 * Charts drawn with pdfkit paths: entries per UTC day stacked by kind, and the integrity sweeps
 * of the period on a time line. Vector drawing, no raster: same bytes on every build.
 */
import type PDFDocument from "pdfkit";
import type { PackModel } from "../pack-model.js";
import { COLOURS, contentWidth, ensureSpace, MARGIN } from "./layout.js";

type Doc = InstanceType<typeof PDFDocument>;

const PALETTE = ["#0969da", "#8250df", "#1a7f37", "#bf8700", "#cf222e", "#1b7c83", "#6e7781"];
const MAX_KINDS = 6;

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

function axisLabel(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
}

/** Stacked bars: one per UTC day of the period, one colour per kind (the six largest, then "other"). */
export function eventsPerDayChart(doc: Doc, m: PackModel): void {
  const height = 170;
  ensureSpace(doc, height + 60);
  const kinds = Object.entries(m.totals.byKind).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
  const shown = kinds.slice(0, MAX_KINDS);
  const series = kinds.length > MAX_KINDS ? [...shown, "other"] : shown;
  const days = m.perDay;
  const stacks = days.map((d) => series.map((k) => (k === "other" ? Object.entries(d.counts).filter(([kk]) => !shown.includes(kk)).reduce((s, [, v]) => s + v, 0) : (d.counts[k] ?? 0))));
  const top = niceMax(Math.max(1, ...stacks.map((s) => s.reduce((a, b) => a + b, 0))));
  const x0 = MARGIN + 34;
  const y0 = doc.y + 6;
  const w = contentWidth(doc) - 34;
  const h = height - 30;
  doc.lineWidth(0.5).strokeColor(COLOURS.rule);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + h - (h * i) / 4;
    doc.moveTo(x0, y).lineTo(x0 + w, y).stroke();
    doc.font("body").fontSize(6.5).fillColor(COLOURS.muted).text(axisLabel((top * i) / 4), MARGIN, y - 3, { width: 30, align: "right" });
  }
  const slot = w / Math.max(1, days.length);
  const bar = Math.max(0.8, slot * 0.75);
  days.forEach((d, i) => {
    let y = y0 + h;
    stacks[i]!.forEach((v, k) => {
      if (v === 0) return;
      const bh = (h * v) / top;
      doc.rect(x0 + i * slot + (slot - bar) / 2, y - bh, bar, bh).fill(PALETTE[k % PALETTE.length]!);
      y -= bh;
    });
  });
  const labelEvery = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((d, i) => {
    if (i % labelEvery !== 0) return;
    doc.font("body").fontSize(6.5).fillColor(COLOURS.muted).text(d.day.slice(5), x0 + i * slot, y0 + h + 3, { width: 40, lineBreak: false });
  });
  let lx = x0;
  const ly = y0 + h + 15;
  series.forEach((k, i) => {
    doc.rect(lx, ly, 7, 7).fill(PALETTE[i % PALETTE.length]!);
    doc.font("body").fontSize(7).fillColor(COLOURS.ink).text(k, lx + 10, ly - 0.5, { lineBreak: false });
    lx += 18 + doc.widthOfString(k);
  });
  doc.x = MARGIN;
  doc.y = ly + 18;
}

/** Each sweep of the log as a mark on the period's time line: green verified, red tampered, amber error. */
export function sweepsChart(doc: Doc, m: PackModel): void {
  const height = 70;
  ensureSpace(doc, height + 30);
  const from = Date.parse(m.request.from);
  const to = Date.parse(m.request.to);
  const x0 = MARGIN + 34;
  const w = contentWidth(doc) - 34;
  const y = doc.y + 25;
  doc.lineWidth(1).strokeColor(COLOURS.rule).moveTo(x0, y).lineTo(x0 + w, y).stroke();
  for (const gap of m.exceptions.filter((x) => x.kind === "sweep-gap" && x.day)) {
    const start = Date.parse(`${gap.day}T00:00:00Z`);
    const days = /\((\d+) days\)/.exec(gap.description)?.[1];
    const end = start + Number(days ?? 1) * 86_400_000;
    const gx = x0 + (w * (start - from)) / (to - from);
    doc.rect(gx, y - 10, Math.max(1, (w * (end - start)) / (to - from)), 20).fillOpacity(0.15).fill(COLOURS.warn).fillOpacity(1);
  }
  for (const s of m.sweeps) {
    const x = x0 + (w * (Date.parse(s.at) - from)) / (to - from);
    const colour = s.result === "verified" ? COLOURS.ok : s.result === "tampered" ? COLOURS.bad : COLOURS.warn;
    doc.circle(x, y, 3.5).fill(colour);
  }
  doc.font("body").fontSize(6.5).fillColor(COLOURS.muted);
  doc.text(m.request.from.slice(0, 16).replace("T", " "), x0, y + 14, { lineBreak: false });
  doc.text(m.request.to.slice(0, 16).replace("T", " "), x0 + w - 60, y + 14, { width: 60, align: "right", lineBreak: false });
  const counts = { verified: 0, tampered: 0, error: 0 } as Record<string, number>;
  for (const s of m.sweeps) counts[s.result] = (counts[s.result] ?? 0) + 1;
  doc.font("body").fontSize(7).fillColor(COLOURS.ink).text(`${m.sweeps.length} sweeps: ${counts.verified} verified, ${counts.tampered} tampered, ${counts.error} error; shaded: days without a sweep`, x0, y + 26, { width: w });
  doc.x = MARGIN;
  doc.y = y + 44;
}

/** Bars per UTC day of one or two series (the second stacked on the first), with their totals in the legend. */
export function dailyChart(doc: Doc, m: PackModel, title: string, series: { key: "logins" | "failedLogins" | "approvedChanges" | "unapprovedChanges" | "sessions"; label: string; colour: string; minus?: "failedLogins" }[]): void {
  const height = 110;
  ensureSpace(doc, height + 40);
  doc.font("bold").fontSize(9).fillColor(COLOURS.ink).text(title, MARGIN, doc.y);
  const days = m.perDay;
  const value = (d: PackModel["perDay"][number], s: (typeof series)[number]) => Math.max(0, (d.signals[s.key] ?? 0) - (s.minus ? d.signals[s.minus] ?? 0 : 0));
  const top = niceMax(Math.max(1, ...days.map((d) => series.reduce((a, s) => a + value(d, s), 0))));
  const x0 = MARGIN + 34;
  const y0 = doc.y + 6;
  const w = contentWidth(doc) - 34;
  const h = height - 36;
  doc.lineWidth(0.5).strokeColor(COLOURS.rule);
  for (let i = 0; i <= 2; i++) {
    const y = y0 + h - (h * i) / 2;
    doc.moveTo(x0, y).lineTo(x0 + w, y).stroke();
    doc.font("body").fontSize(6.5).fillColor(COLOURS.muted).text(axisLabel((top * i) / 2), MARGIN, y - 3, { width: 30, align: "right" });
  }
  const slot = w / Math.max(1, days.length);
  const bar = Math.max(0.8, slot * 0.75);
  days.forEach((d, i) => {
    let y = y0 + h;
    for (const s of series) {
      const v = value(d, s);
      if (v === 0) continue;
      const bh = (h * v) / top;
      doc.rect(x0 + i * slot + (slot - bar) / 2, y - bh, bar, bh).fill(s.colour);
      y -= bh;
    }
  });
  const labelEvery = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((d, i) => {
    if (i % labelEvery === 0) doc.font("body").fontSize(6.5).fillColor(COLOURS.muted).text(d.day.slice(5), x0 + i * slot, y0 + h + 3, { width: 40, lineBreak: false });
  });
  let lx = x0;
  const ly = y0 + h + 14;
  for (const s of series) {
    const total = days.reduce((a, d) => a + value(d, s), 0);
    const label = `${s.label}: ${total}`;
    doc.rect(lx, ly, 7, 7).fill(s.colour);
    doc.font("body").fontSize(7).fillColor(COLOURS.ink).text(label, lx + 10, ly - 0.5, { lineBreak: false });
    lx += 22 + doc.widthOfString(label);
  }
  doc.x = MARGIN;
  doc.y = ly + 16;
}
