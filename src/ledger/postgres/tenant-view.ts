/**
 * A tenant's view of the ledger (an API request's): one read-only REPEATABLE READ transaction, opened on first
 * use, run as the deployment's reader role (named by the pool, db.ts) with the request's tenant
 * set for the transaction alone. Row-
 * level security (schema/migrations/0001_protection.sql) then decides what every query can
 * see, whatever a resolver asks for; and every field of one response reads one snapshot.
 */
import type { LedgerStore, TenantView } from "../store.js";
import type { Sql } from "./db.js";

export class PostgresTenantView implements TenantView {
  private tx: Promise<Sql> | undefined;
  private release: (() => void) | undefined;
  private finished: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: Sql,
    private readonly tenant: string,
    private readonly timeoutMs: number,
    private readonly storeOf: (tx: Sql) => LedgerStore,
  ) {}

  /** Runs `fn` inside the request's transaction. */
  async use<T>(fn: (store: LedgerStore) => Promise<T>): Promise<T> {
    this.tx ??= this.open();
    return fn(this.storeOf(await this.tx));
  }

  private open(): Promise<Sql> {
    return new Promise<Sql>((resolve, reject) => {
      const done = new Promise<void>((r) => (this.release = r));
      this.finished = this.sql
        .begin("isolation level repeatable read read only", async (tx) => {
          // JIT compilation costs ~200 ms per query and never pays off for a page. Plans are made
          // for the actual values (custom plans): a generic plan, made once for a prepared
          // statement, cannot tell a common word from a rare one.
          await tx`select set_config('role', current_setting('sealtrail.reader_role'), true),
                          set_config('sealtrail.tenant', ${this.tenant}, true),
                          set_config('statement_timeout', ${String(this.timeoutMs)}, true),
                          set_config('jit', 'off', true),
                          set_config('plan_cache_mode', 'force_custom_plan', true)`;
          resolve(tx as unknown as Sql);
          await done;
        })
        .catch(reject);
    });
  }

  /**
   * Ends the transaction (read only: there is nothing to commit or lose) and gives its
   * connection back; a later use() opens a new one. A mutation that waits on the queue
   * releases it first, so waiting writers do not hold the pool's connections.
   */
  async close(): Promise<void> {
    this.release?.();
    this.release = undefined;
    this.tx = undefined;
    await this.finished.catch(() => {});
  }
}
