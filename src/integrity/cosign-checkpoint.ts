/**
 * The submitting side of C2SP tlog-witness "add-checkpoint": sends a signed checkpoint with a
 * consistency proof from the size the witness last cosigned, and checks the cosignature it
 * returns (C2SP tlog-cosignature) before anyone stores it.
 */
import { type Cosigner, verifyCosignature } from "../core/cosign/index.js";
import { toBase64 } from "../core/encoding/index.js";
import { CosigningError } from "../witness/witness-error.js";

export interface WitnessEndpoint {
  /** The submission prefix; add-checkpoint is POSTed to `<url>/add-checkpoint`. */
  url: string;
  cosigner: Cosigner;
}

export interface Cosignature {
  line: string;
  /** POSIX seconds of the cosignature. */
  time: number;
  /** The old size the witness accepted. */
  oldSize: number;
}

/** "The response body MUST consist of the tree size of the latest cosigned checkpoint in decimal". */
const SIZE_BODY = /^(0|[1-9][0-9]{0,15})\n$/;
const TIMEOUT_MS = 10_000;

/**
 * Asks `witness` to cosign `note` (of tree `size`). `guess` is the size we believe the witness
 * last cosigned (0 if none); on 409 with another size the request is made once more from the
 * size the witness names. `proof(old)` gives the consistency proof from `old` to `size`.
 */
export async function cosignCheckpoint(
  witness: WitnessEndpoint,
  note: string,
  size: number,
  guess: number,
  proof: (old: number) => Promise<Uint8Array[]>,
): Promise<Cosignature> {
  let old = guess;
  for (let attempt = 0; ; attempt++) {
    const hashes = old === 0 || old === size ? [] : await proof(old);
    const body = `old ${old}\n${hashes.map((h) => `${toBase64(h)}\n`).join("")}\n${note}`;
    const res = await post(`${witness.url.replace(/\/+$/, "")}/add-checkpoint`, body);
    if (res.status === 200) return { ...checkResponse(witness, note, res.body), oldSize: old };
    if (res.status === 409 && res.contentType.startsWith("text/x.tlog.size") && SIZE_BODY.test(res.body)) {
      const known = Number(res.body.trim());
      if (known > size) {
        throw new CosigningError("CONFLICT", `witness ${witness.cosigner.name} has cosigned size ${known}, beyond this checkpoint's ${size}: the log was rolled back or shows it another tree`);
      }
      if (attempt === 0 && known !== old) {
        old = known;
        continue;
      }
    }
    if (res.status === 409) {
      throw new CosigningError("CONFLICT", `witness ${witness.cosigner.name} refused the checkpoint at size ${size} (409): ${res.body.trim().slice(0, 200)}`);
    }
    if (res.status >= 500) throw new CosigningError("UNREACHABLE", `witness ${witness.cosigner.name} answered ${res.status}: ${res.body.trim().slice(0, 200)}`);
    throw new CosigningError("REFUSED", `witness ${witness.cosigner.name} refused the checkpoint at size ${size} (${res.status}): ${res.body.trim().slice(0, 200)}`);
  }
}

/** "The client MUST ignore any cosignatures from unknown keys": only the configured key's line is kept. */
function checkResponse(witness: WitnessEndpoint, note: string, body: string): Omit<Cosignature, "oldSize"> {
  for (const line of body.split(/(?<=\n)/)) {
    if (!line.startsWith("\u2014 ") || !line.endsWith("\n")) continue;
    let time: bigint | undefined;
    try {
      time = verifyCosignature(note + line, witness.cosigner);
    } catch {
      time = undefined;
    }
    // The note's own lines verify nothing for this key, so `time` comes from `line` alone.
    if (time !== undefined && !note.includes(line)) return { line, time: Number(time) };
  }
  throw new CosigningError("BAD_RESPONSE", `witness ${witness.cosigner.name} answered 200 without a valid cosignature of its key`);
}

async function post(url: string, body: string): Promise<{ status: number; contentType: string; body: string }> {
  try {
    const res = await fetch(url, { method: "POST", body, headers: { "content-type": "text/plain; charset=utf-8" }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: await res.text() };
  } catch (error) {
    throw new CosigningError("UNREACHABLE", `witness at ${url}: ${(error as Error).message}`, { cause: error });
  }
}
