/**
 * BullMQ connection options from REDIS_URL. Workers block on Redis and must wait out an
 * outage rather than fail a command: `maxRetriesPerRequest: null` (BullMQ requires it).
 * Producers answer a request: they fail fast instead of queueing commands while Redis is away.
 */
import type { ConnectionOptions } from "bullmq";

export function workerConnection(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null };
}

export function producerConnection(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: 1, enableOfflineQueue: false };
}
