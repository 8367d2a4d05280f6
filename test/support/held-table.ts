/**
 * Holding the API's requests in flight: a table locked by the admin connection keeps every
 * request that reads it waiting, holding its slot and its pool connection, until released.
 */
import { expect } from "vitest";
import type { Sql } from "../../src/ledger/postgres/db.js";
import { API_POOL_NAME } from "./api.js";

export interface HeldTable {
  /** Ends the lock's transaction; safe to call more than once (call it in a finally). */
  release(): void;
  /** Waits until at least `n` of the API's request queries wait on the lock. */
  waiting(n: number, timeoutMs?: number): Promise<void>;
}

export async function holdTable(admin: Sql, table: "logs" | "entries"): Promise<HeldTable> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await new Promise<void>((ready, failed) => {
    admin
      .begin(async (tx) => {
        await tx.unsafe(`lock table ${table} in access exclusive mode`);
        ready();
        await held;
      })
      .catch(failed);
  });
  return {
    release,
    async waiting(n, timeoutMs = 20_000) {
      // Only the request pool's queries: the read recorder's appends (its own pool) wait on the
      // same lock, and counting them would let a wait end before the requests it is for arrive.
      await expect
        .poll(async () => (await admin`
          select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.relation = ${table}::regclass and not l.granted and a.application_name = ${API_POOL_NAME}`)[0]!.n, { timeout: timeoutMs })
        .toBeGreaterThanOrEqual(n);
    },
  };
}
