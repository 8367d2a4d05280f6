/**
 * Recording attested evidence (`sealtrail attest`, the attestControl mutation; attestation.ts
 * says what a pack does with it): the request is checked whole first — a control of a known
 * framework, a file of 1 byte to MAX_ATTESTATION_BYTES, a period that is one — so a refusal
 * stores nothing. Then the bytes are stored under their SHA-256 (before the entry, so no entry
 * ever names bytes the store lacks; bytes stored by an append that then fails are only an
 * unreferenced copy of the file) and the evidence.attestation entry appended to the tenant's
 * audit log.
 */
import { createHash } from "node:crypto";
import { extname } from "node:path";
import { ensureAuditLog, type LedgerStore } from "../ledger/index.js";
import { ATTESTATION_ACTION, ATTESTATION_KIND, attestationPackFile, type AttestationPayload, MAX_ATTESTATION_BYTES, safeFileName } from "./attestation.js";
import type { Exporter } from "./exporter.js";
import { PackError } from "./pack-error.js";

export interface AttestRequest {
  tenant: string;
  /** The framework whose control it is; absent, the one framework that has the control. */
  framework?: string;
  control: string;
  file: { name: string; bytes: Uint8Array; mediaType?: string };
  /** The authenticated principal (cli:USER@HOST, api_key:ID (name), sso:…): the entry's actor. */
  by: string;
  /** What recorded it (the entry's source). */
  source: string;
  note?: string;
  period?: { from: string; to: string };
}

export interface Attested {
  log: string;
  seq: number;
  framework: string;
  control: string;
  file: AttestationPayload["file"];
  /** Where a pack of the period carries the file. */
  packFile: string;
}

/** Media types by file extension, for a file attested without one; anything else is application/octet-stream. */
const MEDIA_TYPES: Record<string, string> = {
  ".pdf": "application/pdf", ".csv": "text/csv", ".json": "application/json", ".txt": "text/plain", ".md": "text/markdown",
  ".html": "text/html", ".xml": "application/xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
  ".zip": "application/zip", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
};
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;
const MAX_NOTE = 2000;

const invalid = (message: string) => new PackError("INVALID_REQUEST", `attest: ${message}`);

/** The framework and control the request names, checked against the exporters loaded. */
export function attestedControl(exporters: ReadonlyMap<string, Exporter>, framework: string | undefined, control: string): { exporter: Exporter; control: string } {
  if (framework !== undefined) {
    const exporter = exporters.get(framework);
    if (!exporter) throw invalid(`framework: got ${JSON.stringify(framework)}, want one of ${[...exporters.keys()].join(", ")}`);
    if (!exporter.controls.some((c) => c.id === control)) throw new PackError("UNKNOWN_CONTROL", `control ${JSON.stringify(control)} is not a control of ${exporter.id} (${exporter.controls.map((c) => c.id).join(", ")}); nothing was stored`);
    return { exporter, control };
  }
  const having = [...exporters.values()].filter((e) => e.controls.some((c) => c.id === control));
  if (having.length === 0) throw new PackError("UNKNOWN_CONTROL", `control ${JSON.stringify(control)} is not a control of any framework (${[...exporters.keys()].join(", ")}); nothing was stored`);
  if (having.length > 1) throw invalid(`control ${control} is a control of ${having.map((e) => e.id).join(" and ")}: name the framework`);
  return { exporter: having[0]!, control };
}

/** The entry's payload for a request, every field checked; throws before anything is stored. */
export function attestationPayload(exporters: ReadonlyMap<string, Exporter>, r: AttestRequest): AttestationPayload {
  const { exporter, control } = attestedControl(exporters, r.framework, r.control);
  const size = r.file.bytes.byteLength;
  if (size === 0) throw invalid(`${r.file.name}: the file is empty`);
  if (size > MAX_ATTESTATION_BYTES) throw new PackError("FILE_TOO_LARGE", `${r.file.name}: ${size} bytes, want at most ${MAX_ATTESTATION_BYTES} (16 MiB); nothing was stored`);
  if (r.tenant.trim() === "") throw invalid("tenant: want a tenant");
  const mediaType = r.file.mediaType ?? MEDIA_TYPES[extname(r.file.name).toLowerCase()] ?? "application/octet-stream";
  if (!MEDIA_TYPE.test(mediaType)) throw invalid(`media type: got ${JSON.stringify(mediaType)}, want type/subtype`);
  if (r.note !== undefined && (r.note.trim() === "" || r.note.length > MAX_NOTE)) throw invalid(`note: want 1 to ${MAX_NOTE} characters`);
  let period: AttestationPayload["period"];
  if (r.period) {
    const from = Date.parse(r.period.from);
    const to = Date.parse(r.period.to);
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
    if (!iso.test(r.period.from) || !iso.test(r.period.to) || Number.isNaN(from) || Number.isNaN(to)) throw invalid("period: want --from and --to as ISO 8601 instants with a zone");
    if (from >= to) throw invalid(`period: ${r.period.from} is not before ${r.period.to}`);
    period = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  }
  return {
    control,
    framework: exporter.id,
    file: { name: safeFileName(r.file.name), size, sha256: createHash("sha256").update(r.file.bytes).digest("hex"), mediaType: mediaType.toLowerCase() },
    ...(r.note !== undefined ? { note: r.note } : {}),
    ...(period ? { period } : {}),
  };
}

/** Checks the request, stores the bytes, appends the entry (store: a writer connection). */
export async function recordAttestation(store: LedgerStore, originPrefix: string, exporters: ReadonlyMap<string, Exporter>, r: AttestRequest): Promise<Attested> {
  const payload = attestationPayload(exporters, r);
  const audit = await ensureAuditLog(store, r.tenant, originPrefix);
  await store.saveAttestationFile(r.tenant, new Uint8Array(Buffer.from(payload.file.sha256, "hex")), r.file.bytes);
  const [receipt] = await store.appender().append(audit.name, [{
    kind: ATTESTATION_KIND,
    action: ATTESTATION_ACTION,
    actor: r.by,
    resource: `${payload.framework}:${payload.control}`,
    source: r.source,
    occurredAt: new Date(),
    payload: payload as unknown as Record<string, unknown>,
  }]);
  return { log: audit.name, seq: receipt!.seq, framework: payload.framework, control: payload.control, file: payload.file, packFile: attestationPackFile(payload.file.sha256, payload.file.name) };
}
