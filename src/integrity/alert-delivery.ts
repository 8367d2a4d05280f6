/**
 * Delivers one alert to one webhook: an HTTP POST of the alert as JSON, signed (see
 * core/sweep/alert.ts). The receiver acknowledges with any 2xx; anything else, or no answer within
 * the timeout, is a failed attempt that the queue retries.
 */
import { SealtrailError } from "../core/errors.js";
import { ALERT_ID_HEADER, alertSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../core/sweep/index.js";
import type { AlertJobData } from "./alert-queue.js";

export type AlertDeliveryErrorCode =
  /** The webhook answered, but not with a 2xx. */
  | "NOT_ACKNOWLEDGED"
  /** No answer: the connection failed or the timeout passed. */
  | "UNREACHABLE";

export class AlertDeliveryError extends SealtrailError<AlertDeliveryErrorCode> {}

export async function deliverAlert(data: AlertJobData, secret: string, timeoutMs: number): Promise<number> {
  const body = JSON.stringify(data.alert);
  const timestamp = Math.floor(Date.now() / 1000);
  let response: Response;
  try {
    response = await fetch(data.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "sealtrail-alerts",
        [ALERT_ID_HEADER]: data.alert.id,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: alertSignature(secret, timestamp, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new AlertDeliveryError("UNREACHABLE", `alert ${data.alert.id} to ${redact(data.url)}: ${(error as Error).cause ? String(((error as Error).cause as Error).message ?? (error as Error).cause) : (error as Error).message}`, { cause: error });
  }
  await response.body?.cancel().catch(() => {});
  if (response.status < 200 || response.status > 299) {
    throw new AlertDeliveryError("NOT_ACKNOWLEDGED", `alert ${data.alert.id} to ${redact(data.url)}: HTTP ${response.status}`);
  }
  return response.status;
}

/** The URL without credentials or query (which may hold a token), for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
