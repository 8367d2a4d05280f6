import { Arg, Authorized, Ctx, Int, Query, Resolver } from "type-graphql";
import { ApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { ChunkGap, PaneRecording, TmuxSession } from "../types/tmux-session.type.js";
import { servedEvents } from "../verified-reads.js";

const DEFAULT_SESSIONS = 50;
/** Chunks in one answer: at the capture's 64 KiB chunks, a few hundred MB of terminal output. */
const MAX_CHUNKS = 5000;

/** Seqs missing from `seqs` (ascending), as inclusive ranges; a duplicate is not a gap. */
export function chunkGaps(seqs: number[]): ChunkGap[] {
  const gaps: ChunkGap[] = [];
  let expected = 0;
  for (const seq of seqs) {
    if (seq > expected) gaps.push(Object.assign(new ChunkGap(), { from: expected, to: seq - 1 }));
    expected = Math.max(expected, seq + 1);
  }
  return gaps;
}

@Resolver()
export class TmuxSessionResolver {
  // Recordings are events: the same scope reads them, and every view is a recorded read
  // (PCI DSS 10.2.1.2 and 10.2.1.3: viewing a recording of admin activity is itself audited).
  @Authorized("events:read")
  @Query(() => [TmuxSession], {
    description: "Recorded tmux sessions of the tenant's logs (or of `log`), newest first.",
    complexity: ({ args, childComplexity }) => 10 + Math.min(Number(args.first ?? DEFAULT_SESSIONS), 10_000) * childComplexity,
  })
  async tmuxSessions(
    @Arg("log", () => String, { nullable: true }) logName: string | undefined,
    @Arg("first", () => Int, { nullable: true, description: "How many (default 50, at most the server's page limit)." }) first: number | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<TmuxSession[]> {
    const size = first ?? DEFAULT_SESSIONS;
    if (!Number.isInteger(size) || size < 1 || size > ctx.maxPageSize) throw new ApiError("BAD_USER_INPUT", `first: got ${size}, want 1–${ctx.maxPageSize}`);
    const rows = await db(ctx).use(async (tx) => tx.tmuxSessions(logName ? [(await tx.findLog(logName)).id] : undefined, size));
    ctx.rows.count += rows.length;
    return rows.map((r) => Object.assign(new TmuxSession(), { ...r, endedAt: r.closed ? r.lastAt : null }));
  }

  @Authorized("events:read")
  @Query(() => PaneRecording, {
    description: "One pane's recording in a tmux server run: output chunks and command records, each a verified entry, and the gaps in its chunk seqs.",
    complexity: 1000,
  })
  async paneRecording(
    @Arg("log", () => String) logName: string,
    @Arg("server", () => String) server: string,
    @Arg("pane", () => String) pane: string,
    @Ctx() ctx: ApiContext,
  ): Promise<PaneRecording> {
    if (server.length > 256 || pane.length > 64) throw new ApiError("BAD_USER_INPUT", "server or pane: too long");
    // Served as every read is (verified-reads.ts): re-hashed and checked against the signed
    // checkpoint; one chunk that fails refuses the whole recording.
    const { chunks, commands, more } = await db(ctx).use(async (tx) => {
      const rows = await tx.paneRecording((await tx.findLog(logName)).id, server, pane, MAX_CHUNKS + 1);
      const chunks = await servedEvents(ctx, tx, rows.chunks.slice(0, MAX_CHUNKS));
      const commands = await servedEvents(ctx, tx, rows.commands);
      return { chunks, commands, more: rows.chunks.length > MAX_CHUNKS };
    });
    ctx.rows.count += chunks.length + commands.length;
    const seqs = chunks.map((e) => Number((e.payload as { seq?: unknown }).seq));
    return Object.assign(new PaneRecording(), {
      log: logName,
      server,
      pane,
      chunks,
      commands,
      gaps: chunkGaps(seqs.filter(Number.isSafeInteger)),
      complete: !more,
    });
  }
}
