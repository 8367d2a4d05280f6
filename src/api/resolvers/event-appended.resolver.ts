import { Arg, Authorized, Resolver, Root, Subscription, type ResolverData } from "type-graphql";
import { hasScope } from "../../core/token/index.js";
import type { AppendedFeed, FeedSubscription } from "../appended-feed.js";
import type { Principal } from "../principal.js";
import { ApiError } from "../api-error.js";
import type { ApiContext } from "../context.js";
import { ledgerFilter } from "../ledger-view.js";
import { servedEvents } from "../verified-reads.js";
import { EventFilter } from "../types/event-filter.input.js";
import { Event } from "../types/event.type.js";
import type { EventFilter as LedgerFilter, LedgerStore } from "../../ledger/index.js";

/** What a subscription needs beyond a request's context: the feed, and a pool for its reads. */
export interface LiveContext extends ApiContext {
  feed: AppendedFeed;
  store: LedgerStore;
  timeoutMs: number;
}

/**
 * Entries appended after the subscription started, each delivered once, in seq order per log.
 * Each batch is read in its own short transaction under the tenant's row-level security.
 */
function appendedEvents({ context, args }: ResolverData<LiveContext>): AsyncIterableIterator<Event> {
  const principal = context.principal;
  if (!principal) throw new ApiError("UNAUTHENTICATED", "an API key is needed");
  if (!hasScope(principal.scopes, "events:read")) throw new ApiError("FORBIDDEN", "Subscription.eventAppended needs scope events:read");
  const feed = context.feed.subscribe(principal.tenant);
  const events = streamEvents(context, principal, (args as { filter?: EventFilter }).filter, feed);
  // An async generator waiting for the next notice only sees return() once it yields again,
  // which may be never: closing the feed first wakes it, so a client that unsubscribes or
  // disconnects ends its subscription (and its read record) at once.
  return {
    next: () => events.next(),
    return: async (value?: unknown) => {
      feed.close();
      return events.return(value as never);
    },
    throw: async (error?: unknown) => {
      feed.close();
      return events.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* streamEvents(context: LiveContext, principal: Principal, filterArg: EventFilter | undefined, feed: FeedSubscription): AsyncGenerator<Event> {
  const read = async <T>(fn: (tx: LedgerStore) => Promise<T>): Promise<T> => {
    const db = context.store.tenantView(principal.tenant, context.timeoutMs);
    try {
      return await db.use(fn);
    } finally {
      await db.close();
    }
  };
  try {
    // Subscribed before the sizes are read: nothing committed in between is missed.
    const { filter, positions } = await read(async (tx) => ({
      filter: await ledgerFilter(tx, filterArg),
      positions: await tx.logSizes(),
    }));
    const wanted = (logId: number) => filter.logIds === undefined || filter.logIds.includes(logId);
    const catchUp = async (logId: number, to: number, f: LedgerFilter): Promise<Event[]> => {
      const from = positions.get(logId) ?? 0;
      if (to <= from) return [];
      const { rows, events } = await read(async (tx) => {
        const rows = await tx.findEntryRun(logId, from, to, f);
        return { rows, events: await servedEvents(context, tx, rows) };
      });
      positions.set(logId, to);
      context.rows.count += rows.length;
      return events;
    };
    for await (const notice of feed) {
      if (notice.kind === "appended") {
        if (!wanted(notice.logId)) continue;
        for (const event of await catchUp(notice.logId, notice.to, filter)) yield event;
      } else {
        const sizes = await read((tx) => tx.logSizes());
        for (const [logId, size] of sizes) {
          if (!wanted(logId)) continue;
          for (const event of await catchUp(logId, size, filter)) yield event;
        }
      }
    }
  } finally {
    feed.close();
  }
}

@Resolver()
export class EventAppendedResolver {
  @Authorized("events:read")
  @Subscription(() => Event, {
    subscribe: appendedEvents as never,
    description: "Each entry committed after subscribing that matches the filter, once, in seq order per log (graphql-ws on /graphql).",
  })
  eventAppended(@Root() event: Event, @Arg("filter", () => EventFilter, { nullable: true }) _filter?: EventFilter): Event {
    return event;
  }
}
