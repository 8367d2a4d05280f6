/**
 * What a producer answers per event: accepted (queued, and after waiting appended) or rejected
 * with its reason. Apart from enqueue-events.ts so IngestError can carry receipts without
 * importing the producer.
 */
import type { Rejection } from "./rejection.js";

export interface EnqueueReceipt {
  index: number;
  idempotencyKey: string;
  /** accepted: queued (and, after waiting, appended or found appended already). */
  status: "accepted" | "rejected";
  reason?: Rejection;
  /** After waiting only. */
  seq?: number;
  /** After waiting only: the entry's leaf hash, hex. */
  leafHash?: string;
  duplicate?: boolean;
}
