/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof): an offline-verifiable proof that an entry is
 * in a log, as text: "c2sp.org/tlog-proof@v1", an optional "extra <base64>" line, "index <N>",
 * the inclusion proof's hashes (RFC 6962 §2.1.1 order, leaf's sibling first), an empty line,
 * then the checkpoint note verbatim, cosignatures included.
 */
import { CoreError } from "../errors.js";
import { fromBase64, toBase64 } from "../encoding/index.js";

const HEADER = "c2sp.org/tlog-proof@v1";

export interface TlogProof {
  /** Opaque and unauthenticated ("Format"); we carry the entry's leaf data in it. */
  extra?: Uint8Array;
  index: number;
  proof: Uint8Array[];
  note: string;
}

export function formatTlogProof(p: TlogProof): string {
  const lines = [HEADER, ...(p.extra ? [`extra ${toBase64(p.extra)}`] : []), `index ${p.index}`, ...p.proof.map(toBase64)];
  return `${lines.join("\n")}\n\n${p.note}`;
}

/** Parses a proof; NOTE_MALFORMED naming the first line that is not as "Format" says. */
export function parseTlogProof(text: string): TlogProof {
  const bad = (why: string) => new CoreError("NOTE_MALFORMED", `tlog-proof: ${why}`);
  const blank = text.indexOf("\n\n");
  if (blank < 0) throw bad("no empty line before the checkpoint");
  const lines = text.slice(0, blank).split("\n");
  if (lines.shift() !== HEADER) throw bad(`the first line is not ${HEADER}`);
  let extra: Uint8Array | undefined;
  if (lines[0]?.startsWith("extra ")) {
    extra = fromBase64(lines.shift()!.slice(6));
    if (extra === undefined) throw bad("extra is not base64");
  }
  const index = /^index (0|[1-9][0-9]{0,15})$/.exec(lines.shift() ?? "");
  if (!index) throw bad('no "index <N>" line');
  const proof = lines.map((l) => {
    const h = fromBase64(l);
    if (h === undefined || h.length !== 32) throw bad("a proof line is not a base64 SHA-256 hash");
    return h;
  });
  return { ...(extra ? { extra } : {}), index: Number(index[1]), proof, note: text.slice(blank + 2) };
}
