/**
 * Why one event of a batch was refused. Refusals are data, not exceptions: a batch with some
 * bad events still appends the good ones, and a refused event is never retried.
 */
export type RejectionCode =
  /** The event is not a JSON object. */
  | "NOT_AN_OBJECT"
  /** `kind` names none of the kinds ingestion accepts (INGEST_KINDS). */
  | "UNKNOWN_KIND"
  /** A required field is absent (the PCI DSS 10.2.2 fields among them). */
  | "MISSING_FIELD"
  /** A field has the wrong type, format or value, or is not a field of the event at all. */
  | "INVALID_FIELD"
  /** The payload's canonical JSON is larger than SEALTRAIL_MAX_PAYLOAD_BYTES. */
  | "PAYLOAD_TOO_LARGE";

export interface Rejection {
  /** Position of the event in the batch it came in. */
  index: number;
  code: RejectionCode;
  message: string;
}
