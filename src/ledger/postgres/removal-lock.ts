/**
 * A log's removal lock (docs/erasure.md, "Legal holds"): legal holds are created and released,
 * and values erased or expired, one at a time per log. Without it an erasure that checked the
 * holds could shred values a hold created a moment later covers. Held on a connection of its
 * own for the whole operation, which spans several transactions (the record is appended, then
 * the values go); a process that dies drops the connection and the lock with it.
 */
import type { Sql } from "./db.js";

/** Namespace of the removal locks (the append lock is 0x5ea1, the search indexer's 0x5ea2). */
export const REMOVAL_LOCK_NAMESPACE = 0x5ea3;

export async function withRemovalLock<T>(sql: Sql, logId: number, fn: () => Promise<T>): Promise<T> {
  const reserve = (sql as unknown as { reserve?: unknown }).reserve;
  // Inside a caller's transaction: locked until it ends.
  if (typeof reserve !== "function") {
    await sql`select pg_advisory_xact_lock(${REMOVAL_LOCK_NAMESPACE} # 'logs'::regclass::oid::int4, ${logId})`;
    return fn();
  }
  const connection = await sql.reserve();
  try {
    await connection`select pg_advisory_lock(${REMOVAL_LOCK_NAMESPACE} # 'logs'::regclass::oid::int4, ${logId})`;
    try {
      return await fn();
    } finally {
      await connection`select pg_advisory_unlock(${REMOVAL_LOCK_NAMESPACE} # 'logs'::regclass::oid::int4, ${logId})`;
    }
  } finally {
    connection.release();
  }
}
