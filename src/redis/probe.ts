/**
 * One PING on a connection of its own that never retries. BullMQ's connections retry the
 * first connect forever, and a queue whose Redis never answered cannot be closed (its close()
 * waits for that first connection): a short-lived producer such as the CLI asks first.
 */
import { Redis } from "ioredis";

/** Resolves when Redis answers PING within `timeoutMs`; rejects with the reason otherwise. */
export async function probeRedis(url: string, timeoutMs: number): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, enableOfflineQueue: false });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}
