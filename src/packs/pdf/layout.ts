/**
 * Small layout helpers over pdfkit: headings, key/value lines and tables that wrap their cells
 * and break across pages, repeating the header row.
 */
import type PDFDocument from "pdfkit";

type Doc = InstanceType<typeof PDFDocument>;

export const MARGIN = 50;
export const COLOURS = { ink: "#1b1f24", muted: "#57606a", rule: "#d0d7de", head: "#f0f3f6", ok: "#1a7f37", warn: "#bf8700", bad: "#cf222e", none: "#6e7781" };

export function contentWidth(doc: Doc): number {
  return doc.page.width - 2 * MARGIN;
}

export function heading(doc: Doc, text: string, size = 16): void {
  ensureSpace(doc, size * 3);
  doc.moveDown(0.6).font("bold").fontSize(size).fillColor(COLOURS.ink).text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.3);
}

export function paragraph(doc: Doc, text: string, size = 9): void {
  doc.font("body").fontSize(size).fillColor(COLOURS.ink).text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.4);
}

export function mono(doc: Doc, text: string, size = 7.5): void {
  ensureSpace(doc, doc.font("mono").fontSize(size).heightOfString(text, { width: contentWidth(doc) }) + 10);
  doc.font("mono").fontSize(size).fillColor(COLOURS.ink).text(text, MARGIN, doc.y, { width: contentWidth(doc), lineBreak: true });
  doc.moveDown(0.5);
}

export function keyValues(doc: Doc, rows: [string, string][], size = 9): void {
  const keyWidth = 130;
  for (const [k, v] of rows) {
    // A long key wraps too (a checkpoint key of the audit log): the row is as tall as the taller side.
    const h = Math.max(doc.font("body").fontSize(size).heightOfString(v, { width: contentWidth(doc) - keyWidth }), doc.font("bold").fontSize(size).heightOfString(k, { width: keyWidth - 8 }), size * 1.2);
    ensureSpace(doc, h + 4);
    const y = doc.y;
    doc.font("bold").fontSize(size).fillColor(COLOURS.muted).text(k, MARGIN, y, { width: keyWidth - 8 });
    doc.font("body").fontSize(size).fillColor(COLOURS.ink).text(v, MARGIN + keyWidth, y, { width: contentWidth(doc) - keyWidth });
    doc.y = y + h + 3;
  }
  doc.moveDown(0.3);
}

export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
}

export interface Column {
  header: string;
  /** Share of the content width. */
  width: number;
  font?: "body" | "mono" | "bold";
  colour?: (value: string) => string | undefined;
}

/** A table; cells wrap, rows never split, and the header repeats on each new page. */
export function table(doc: Doc, columns: Column[], rows: string[][], size = 8): void {
  const total = contentWidth(doc);
  const widths = columns.map((c) => c.width * total);
  const pad = 3;
  const drawHeader = () => {
    const h = Math.max(...columns.map((c, i) => doc.font("bold").fontSize(size).heightOfString(c.header, { width: widths[i]! - 2 * pad }))) + 2 * pad;
    ensureSpace(doc, h + size * 3);
    const y = doc.y;
    doc.rect(MARGIN, y, total, h).fill(COLOURS.head);
    let x = MARGIN;
    columns.forEach((c, i) => {
      doc.font("bold").fontSize(size).fillColor(COLOURS.ink).text(c.header, x + pad, y + pad, { width: widths[i]! - 2 * pad });
      x += widths[i]!;
    });
    doc.y = y + h;
  };
  drawHeader();
  for (const row of rows) {
    const h = Math.max(...row.map((cell, i) => doc.font(columns[i]!.font ?? "body").fontSize(size).heightOfString(cell || " ", { width: widths[i]! - 2 * pad }))) + 2 * pad;
    if (doc.y + h > doc.page.height - MARGIN) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y;
    let x = MARGIN;
    row.forEach((cell, i) => {
      const c = columns[i]!;
      doc.font(c.font ?? "body").fontSize(size).fillColor(c.colour?.(cell) ?? COLOURS.ink).text(cell, x + pad, y + pad, { width: widths[i]! - 2 * pad });
      x += widths[i]!;
    });
    doc.moveTo(MARGIN, y + h).lineTo(MARGIN + total, y + h).lineWidth(0.5).strokeColor(COLOURS.rule).stroke();
    doc.y = y + h;
  }
  doc.x = MARGIN;
  doc.moveDown(0.6);
}
