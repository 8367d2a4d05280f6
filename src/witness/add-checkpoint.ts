/**
 * The witness side of C2SP tlog-witness "add-checkpoint": parses the request body, checks
 * the checkpoint against the trusted log keys and the stored state, and cosigns it
 * (C2SP tlog-cosignature, cosignature/v1). Every refusal carries the status code the spec
 * gives for it. Written apart from the submitting side (src/integrity/cosign-checkpoint.ts)
 * so that each checks the other.
 */
import type { KeyObject } from "node:crypto";
import { cosignatureLine } from "../core/cosign/index.js";
import { digestEqual, fromBase64 } from "../core/encoding/index.js";
import { verifyConsistency } from "../core/merkle/index.js";
import { type Checkpoint, openNote, parseCheckpoint, verifierFromVkey } from "../core/note/index.js";
import type { WitnessState } from "./witness-state.js";

type Verifier = ReturnType<typeof verifierFromVkey>;

export interface WitnessIdentity {
  name: string;
  privateKey: KeyObject;
  /** Trusted log keys by origin ("Each witness is configured with a list of supported log public keys"). */
  logs: Map<string, Verifier[]>;
  state: WitnessState;
  now?: () => number;
}

export interface WitnessResponse {
  status: number;
  contentType: string;
  body: string;
}

/** "The client MUST NOT send more than 63 consistency proof lines." */
const MAX_PROOF_LINES = 63;
const OLD_LINE = /^old (0|[1-9][0-9]{0,15})$/;
const text = (status: number, body: string): WitnessResponse => ({ status, contentType: "text/plain; charset=utf-8", body: `${body}\n` });

/** Trusted log keys grouped by their key name, which is the log's origin (C2SP tlog-checkpoint "Signatures"). */
export function trustedLogs(vkeys: readonly string[]): Map<string, Verifier[]> {
  const logs = new Map<string, Verifier[]>();
  for (const vkey of vkeys) {
    const v = verifierFromVkey(vkey);
    logs.set(v.name, [...(logs.get(v.name) ?? []), v]);
  }
  return logs;
}

interface Request { old: number; proof: Uint8Array[]; note: string; checkpoint: Checkpoint }

/** The body: "old N\n", up to 63 base64 hash lines, an empty line, the checkpoint note. */
function parseRequest(body: string): Request | string {
  const blank = body.indexOf("\n\n");
  if (blank < 0) return "no empty line after the old size and proof lines";
  const [oldLine = "", ...proofLines] = body.slice(0, blank).split("\n");
  const old = OLD_LINE.exec(oldLine);
  if (!old) return `first line: got ${JSON.stringify(oldLine.slice(0, 40))}, want "old <size>"`;
  if (proofLines.length > MAX_PROOF_LINES) return `${proofLines.length} proof lines, at most ${MAX_PROOF_LINES}`;
  const proof: Uint8Array[] = [];
  for (const line of proofLines) {
    const hash = fromBase64(line);
    if (hash === undefined || hash.length !== 32) return "a proof line is not a base64 SHA-256 hash";
    proof.push(hash);
  }
  const note = body.slice(blank + 2);
  const split = note.lastIndexOf("\n\n");
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(note.slice(0, split + 1));
  } catch (error) {
    return `checkpoint: ${(error as Error).message}`;
  }
  if (split < 0) return "checkpoint has no signatures";
  const size = Number(checkpoint.size);
  if (!Number.isSafeInteger(size)) return "checkpoint size beyond 2^53";
  return { old: Number(old[1]), proof, note, checkpoint };
}

/** Handles one add-checkpoint request body. */
export async function addCheckpoint(w: WitnessIdentity, body: string): Promise<WitnessResponse> {
  const req = parseRequest(body);
  if (typeof req === "string") return text(400, req);
  const { checkpoint: cp, old, proof, note } = req;
  const verifiers = w.logs.get(cp.origin);
  if (!verifiers) return text(404, `unknown log ${JSON.stringify(cp.origin)}`);
  try {
    // Signatures of unknown keys are ignored; at least one trusted key must have signed.
    openNote(note, verifiers);
  } catch {
    return text(403, "no signature verifies with a trusted key of the log");
  }
  const size = Number(cp.size);
  if (old > size) return text(400, `old size ${old} is larger than the checkpoint size ${size}`);
  // "The proof MUST be empty if the old size is zero": a malformed request, whatever the state.
  if (old === 0 && proof.length > 0) return text(400, "the proof must be empty when the old size is zero");
  return w.state.update(cp.origin, async (state) => {
    const known = state?.size ?? 0;
    if (old !== known) {
      return { result: { status: 409, contentType: "text/x.tlog.size", body: `${known}\n` } };
    }
    if (state && old === size && !digestEqual(state.root, cp.root)) {
      // Same origin and size, another root: a split view. Kept as evidence, never cosigned.
      await w.state.refused({ origin: cp.origin, status: 409, reason: "split view: another root at the cosigned size", body, at: new Date().toISOString() });
      return { result: text(409, `split view: the checkpoint at size ${size} has another root than the one cosigned`) };
    }
    if (state && old < size) {
      try {
        verifyConsistency(old, size, proof, state.root, cp.root);
      } catch (error) {
        await w.state.refused({ origin: cp.origin, status: 422, reason: (error as Error).message, body, at: new Date().toISOString() });
        return { result: text(422, `consistency proof from ${old} to ${size}: ${(error as Error).message}`) };
      }
    }
    const noteText = note.slice(0, note.lastIndexOf("\n\n") + 1);
    const time = BigInt(Math.floor((w.now ?? Date.now)() / 1000));
    const line = cosignatureLine(w.name, w.privateKey, noteText, time);
    return { next: { size, root: cp.root, note }, result: { status: 200, contentType: "text/plain; charset=utf-8", body: line } };
  });
}
