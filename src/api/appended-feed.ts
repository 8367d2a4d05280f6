/**
 * Live feed of appends for subscriptions. The store announces each committed batch after
 * commit and in commit order (LedgerStore.listenAppends; postgres/appends-channel.ts), for
 * this ledger's logs only. One listening connection serves the whole server; each
 * notice goes to the subscribers of the log's tenant only. A subscriber fetches entries
 * itself, under its own tenant's row-level security, from the last seq it delivered: a notice
 * lost while the connection was down is made up by the next one, and by the `resync` sent
 * whenever the connection is re-established.
 */
import type { LedgerStore } from "../ledger/index.js";

export type FeedNotice = { kind: "appended"; logId: number; from: number; to: number } | { kind: "resync" };

export interface FeedSubscription extends AsyncIterable<FeedNotice> {
  close(): void;
}

class NoticeQueue implements FeedSubscription {
  private readonly items: FeedNotice[] = [];
  private wake: (() => void) | undefined;
  closed = false;

  constructor(
    readonly tenant: string,
    private readonly onClose: (q: NoticeQueue) => void,
  ) {}

  push(notice: FeedNotice): void {
    if (this.closed) return;
    this.items.push(notice);
    this.wake?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FeedNotice> {
    try {
      while (!this.closed) {
        const next = this.items.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.close();
    }
  }
}

export class AppendedFeed {
  private readonly subscribers = new Set<NoticeQueue>();
  private readonly tenants = new Map<number, string>();
  private listening: Promise<{ unlisten(): Promise<void> }> | undefined;
  private connects = 0;

  /** `listener`: the store whose pool the listening connection comes from; `catalog`: reads logs' tenants (the writer: no row-level security). */
  constructor(
    private readonly listener: LedgerStore,
    private readonly catalog: LedgerStore,
  ) {}

  async start(): Promise<void> {
    this.listening ??= this.listener.listenAppends(
      (notice) => void this.dispatch(notice),
      () => {
        // After a reconnect, notices may have been missed: every subscriber checks for gaps.
        if (this.connects++ > 0) for (const s of this.subscribers) s.push({ kind: "resync" });
      },
    );
    await this.listening;
  }

  async stop(): Promise<void> {
    for (const s of [...this.subscribers]) s.close();
    if (this.listening) await (await this.listening).unlisten().catch(() => {});
  }

  /** Notices for `tenant`'s logs from now on; close() ends it. */
  subscribe(tenant: string): FeedSubscription {
    const queue = new NoticeQueue(tenant, (q) => this.subscribers.delete(q));
    this.subscribers.add(queue);
    return queue;
  }

  private async dispatch(appended: { logId: number; from: number; to: number }): Promise<void> {
    const notice: FeedNotice = { kind: "appended", ...appended };
    if (this.subscribers.size === 0) return;
    const tenant = await this.tenantOf(notice.logId);
    if (tenant === undefined) return;
    for (const s of this.subscribers) if (s.tenant === tenant) s.push(notice);
  }

  private async tenantOf(logId: number): Promise<string | undefined> {
    let tenant = this.tenants.get(logId);
    if (tenant === undefined) {
      // A log's tenant never changes (logs are append-only rows), so it is cached for good.
      const found = await this.catalog.tenantOf(logId).catch(() => undefined);
      if (found === undefined) return undefined;
      tenant = found;
      this.tenants.set(logId, tenant);
    }
    return tenant;
  }
}
