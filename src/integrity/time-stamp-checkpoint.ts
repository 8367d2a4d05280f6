/**
 * Asks an RFC 3161 time-stamping authority (SEALTRAIL_TSA_URL) to stamp a checkpoint: the
 * SHA-256 of its signed note (the bytes an auditor keeps as checkpoint-<size>.note) is sent
 * as application/timestamp-query over HTTP (RFC 3161 §3.4), and the reply is checked before
 * it is stored. An auditor verifies it with
 * `openssl ts -verify -data <note> -in <token.tsr> -CAfile <TSA CA>`.
 */
import { randomBytes } from "node:crypto";
import { SealtrailError } from "../core/errors.js";
import { sha256 } from "../core/encoding/index.js";
import { checkTimeStampResponse, timeStampRequest } from "../core/timestamp/index.js";

export type TimeStampErrorCode =
  /** The TSA could not be reached or answered with an HTTP error. */
  | "UNREACHABLE"
  /** The TSA's answer is no granted token over this checkpoint. */
  | "BAD_RESPONSE";

export class TimeStampError extends SealtrailError<TimeStampErrorCode> {}

const TIMEOUT_MS = 10_000;

/** The DER TimeStampResp for `data`. */
export async function timeStamp(tsaUrl: string, data: string | Uint8Array): Promise<Uint8Array> {
  const digest = sha256(typeof data === "string" ? new TextEncoder().encode(data) : data);
  const request = timeStampRequest(digest, randomBytes(8));
  let res: Response;
  try {
    res = await fetch(tsaUrl, { method: "POST", body: request, headers: { "content-type": "application/timestamp-query" }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new TimeStampError("UNREACHABLE", `TSA at ${tsaUrl}: ${(error as Error).message}`, { cause: error });
  }
  const body = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) throw new TimeStampError("UNREACHABLE", `TSA at ${tsaUrl} answered ${res.status}`);
  try {
    checkTimeStampResponse(body, digest);
  } catch (error) {
    throw new TimeStampError("BAD_RESPONSE", `TSA at ${tsaUrl}: ${(error as Error).message}`, { cause: error });
  }
  return body;
}
