import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import { decodeCursor, encodeCursor } from "../../core/token/index.js";
import { toBase64 } from "../../core/encoding/index.js";
import { archivedEntry, findEvents, inclusionProofFor } from "../../ledger/index.js";
import { ApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { count, ledgerFilter } from "../ledger-view.js";
import { InconsistentRead, ReadVerifier } from "../read-verifier.js";
import { guarded, readsAhead, servedCheckpoint, servedEvents, trustedOf } from "../verified-reads.js";
import { BigIntScalar } from "../scalars.js";
import { EventConnection } from "../types/event-connection.type.js";
import { EventFilter } from "../types/event-filter.input.js";
import { Event } from "../types/event.type.js";
import { NotSearchedRange, type NotSearchedReason } from "../types/not-searched.type.js";
import { InclusionProof } from "../types/proof.type.js";
import { QUERY_COST } from "../limits.js";

export const DEFAULT_PAGE_SIZE = 50;

@ArgsType()
class EventsArgs {
  @Field(() => EventFilter, { nullable: true })
  filter?: EventFilter;

  @Field(() => Int, { nullable: true, description: "Page size (default 50, at most the server's limit, 500 unless configured)." })
  first?: number;

  @Field(() => String, { nullable: true, description: "Cursor of the last entry of the previous page." })
  after?: string;
}

@Resolver(() => Event)
export class EventResolver {
  @Authorized("events:read")
  @Query(() => EventConnection, {
    description: "Entries matching the filter, in (log, seq) order, a page at a time.",
    complexity: ({ args, childComplexity }) => 10 + Math.min(Number(args.first ?? DEFAULT_PAGE_SIZE), 10_000) * childComplexity,
  })
  async events(@Args(() => EventsArgs) { filter, first, after }: EventsArgs, @Ctx() ctx: ApiContext): Promise<EventConnection> {
    const size = first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > ctx.maxPageSize) throw new ApiError("BAD_USER_INPUT", `first: got ${size}, want 1–${ctx.maxPageSize}`);
    const position = after === undefined || after === null ? undefined : decodeCursor(after);
    // One row more than asked tells whether another page follows.
    const { rows, page, events, notSearched } = await db(ctx).use(async (tx) => {
      // What the page is checked against, sent right behind the page's query. A page after a
      // cursor with no filter but logs is expected to be the entries after it.
      const byLogOnly = !filter || Object.entries(filter).every(([name, value]) => name === "logs" || value === undefined || value === null);
      const ahead = readsAhead(ctx, tx, position && byLogOnly ? { logId: position.logId, from: position.seq + 1, count: size } : undefined);
      // Archived entries too, where the search index serves the filter; what it cannot is named (notSearched).
      try {
        const { entries: rows, notSearched } = await findEvents(tx, await ledgerFilter(tx, filter), size + 1, position, { searchTailMax: ctx.searchTailMax, alongside: ahead?.alongside });
        const page = rows.slice(0, size);
        return { rows, page, events: await servedEvents(ctx, tx, page, ahead), notSearched };
      } finally {
        ahead?.close();
      }
    });
    ctx.rows.count += page.length;
    const edges = page.map((row, i) => ({ cursor: encodeCursor({ logId: row.logId, seq: row.seq }), node: events[i]! }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > size,
        hasPreviousPage: false,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      notSearched: notSearched.map((r) => Object.assign(new NotSearchedRange(), { log: r.log, from: r.from, to: r.to, reason: r.reason as NotSearchedReason })),
    };
  }

  @Authorized("events:read")
  @Query(() => Event, { nullable: true, description: "One entry; null when the log has no entry at seq." })
  async event(
    @Arg("log", () => String) logName: string,
    @Arg("seq", () => BigIntScalar) seqArg: bigint,
    @Ctx() ctx: ApiContext,
  ): Promise<Event | null> {
    const seq = count("seq", seqArg);
    return db(ctx).use(async (tx) => {
      // Sent now, to travel with the first query.
      const ahead = readsAhead(ctx, tx);
      ahead?.take();
      const log = await tx.findLog(logName);
      // An entry a retention run moved to the archive is read from there (docs/operations.md).
      const row = (await tx.findEntry(log.id, seq)) ?? (await archivedEntry(tx, log, seq));
      if (!row) return null;
      const [event] = await servedEvents(ctx, tx, [row], ahead);
      ctx.rows.count += 1;
      return event!;
    });
  }

  @Authorized("proofs:read")
  @FieldResolver(() => InclusionProof, {
    complexity: ({ childComplexity }) => QUERY_COST + childComplexity,
    description:
      "Proof that this entry is in the tree of treeSize. Default: the newest checkpoint's size when it covers the entry, else the current size. " +
      "The proof verifies against `root`, and against the signed `checkpoint` when one exists at that size.",
  })
  async inclusionProof(
    @Root() event: Event,
    @Arg("treeSize", () => BigIntScalar, { nullable: true }) treeSizeArg: bigint | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<InclusionProof> {
    return db(ctx).use(async (tx) => {
      const log = await tx.findLog(event.log);
      let size = treeSizeArg === undefined || treeSizeArg === null ? undefined : count("treeSize", treeSizeArg);
      let checkpoint = size === undefined ? await tx.latestCheckpoint(log.id) : await tx.checkpointAt(log.id, size);
      if (size === undefined) {
        if (checkpoint && checkpoint.size > event.seq) size = checkpoint.size;
        else checkpoint = undefined;
      }
      const proof = await inclusionProofFor(tx, log.name, event.seq, size);
      // Served only once it verifies, for the leaf the entry was verified with, to a root on
      // the signed history (a stored tree changed in the database gives a proof that does not).
      const served = await guarded(ctx, async () => {
        ReadVerifier.checkInclusion(log.name, proof.index, proof.size, proof.leafHash, proof.proof, proof.root);
        if (toBase64(proof.leafHash) !== event.leafHash) throw new InconsistentRead(log.name, event.seq, `the stored tree of log ${log.name} holds another leaf hash for entry ${event.seq}`);
        const trusted = await trustedOf(ctx, tx, log);
        if (trusted) await ctx.integrity.verifier.anchor(tx, log, trusted, proof.size, proof.root);
        return checkpoint ? servedCheckpoint(ctx, tx, log, checkpoint, trusted) : null;
      });
      ctx.rows.count += 1;
      return Object.assign(new InclusionProof(), {
        log: log.name,
        leafIndex: proof.index,
        treeSize: proof.size,
        leafHash: toBase64(proof.leafHash),
        hashes: proof.proof.map(toBase64),
        root: toBase64(proof.root),
        checkpoint: served,
      });
    });
  }
}
