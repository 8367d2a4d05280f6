/**
 * The one error type of the webhook endpoint. Each code has its HTTP status; the body is
 * `{ "error": { "code", "message" } }`. Nothing is queued for a request that ends in one.
 */
import { SealtrailError } from "../../core/errors.js";

export type WebhookErrorCode =
  /** No source of that name is configured. */
  | "UNKNOWN_SOURCE"
  | "METHOD_NOT_ALLOWED"
  /** The body is larger than SEALTRAIL_API_MAX_BODY_BYTES. */
  | "PAYLOAD_TOO_LARGE"
  /** The signature header is absent. */
  | "SIGNATURE_MISSING"
  /** The signature is malformed or does not match the body under the source's secret. */
  | "SIGNATURE_INVALID"
  /** The timestamp header is absent or not a Unix time in seconds. */
  | "TIMESTAMP_INVALID"
  /** The timestamp is outside the source's replay window. */
  | "TIMESTAMP_STALE"
  /** The delivery id header is absent or malformed. */
  | "DELIVERY_INVALID"
  | "UNSUPPORTED_MEDIA_TYPE"
  /** The body is not UTF-8 JSON. */
  | "MALFORMED_JSON"
  /** The JSON is not what the format carries (events, a GitHub deployment). */
  | "PAYLOAD_INVALID"
  /** Every event was refused by validation; the receipts say why. */
  | "EVENTS_REJECTED"
  /** The source's log does not exist: the configuration is wrong, not the request. */
  | "SOURCE_MISCONFIGURED"
  /** Redis refused the job: nothing was queued, the sender should retry. */
  | "QUEUE_UNAVAILABLE"
  /** The source's rate is used up (its secret is its key): nothing was queued, retry after Retry-After. */
  | "RATE_LIMITED";

export const WEBHOOK_STATUS: Record<WebhookErrorCode, number> = {
  UNKNOWN_SOURCE: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  SIGNATURE_MISSING: 401,
  SIGNATURE_INVALID: 401,
  TIMESTAMP_INVALID: 401,
  TIMESTAMP_STALE: 401,
  DELIVERY_INVALID: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED_JSON: 400,
  PAYLOAD_INVALID: 400,
  EVENTS_REJECTED: 422,
  SOURCE_MISCONFIGURED: 500,
  QUEUE_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
};

export class WebhookError extends SealtrailError<WebhookErrorCode> {
  get status(): number {
    return WEBHOOK_STATUS[this.code];
  }
}
