import { Arg, Authorized, Ctx, Int, Query, Resolver } from "type-graphql";
import { toBase64 } from "../../core/encoding/index.js";
import { consistencyProofFor } from "../../ledger/index.js";
import { ApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import { QUERY_COST } from "../limits.js";
import type { ApiContext } from "../context.js";
import { count } from "../ledger-view.js";
import { ReadVerifier } from "../read-verifier.js";
import { guarded, servedCheckpoint, trustedOf } from "../verified-reads.js";
import { BigIntScalar } from "../scalars.js";
import { Checkpoint } from "../types/checkpoint.type.js";
import { ConsistencyProof } from "../types/proof.type.js";

const DEFAULT_CHECKPOINTS = 20;

@Resolver()
export class ProofResolver {
  @Authorized("proofs:read")
  @Query(() => Checkpoint, { nullable: true, description: "The checkpoint signed at exactly this tree size; null when none was." })
  async checkpoint(@Arg("log", () => String) logName: string, @Arg("size", () => BigIntScalar) sizeArg: bigint, @Ctx() ctx: ApiContext): Promise<Checkpoint | null> {
    const size = count("size", sizeArg);
    return db(ctx).use(async (tx) => {
      const log = await tx.findLog(logName);
      const c = await tx.checkpointAt(log.id, size);
      if (!c) return null;
      const served = await servedCheckpoint(ctx, tx, log, c);
      ctx.rows.count += 1;
      return served;
    });
  }

  @Authorized("proofs:read")
  @Query(() => Checkpoint, { nullable: true, description: "The newest checkpoint of the log; null before the first." })
  async latestCheckpoint(@Arg("log", () => String) logName: string, @Ctx() ctx: ApiContext): Promise<Checkpoint | null> {
    return db(ctx).use(async (tx) => {
      const log = await tx.findLog(logName);
      const c = await tx.latestCheckpoint(log.id);
      if (!c) return null;
      const served = await servedCheckpoint(ctx, tx, log, c);
      ctx.rows.count += 1;
      return served;
    });
  }

  @Authorized("proofs:read")
  @Query(() => [Checkpoint], {
    description: "The log's signed checkpoints, largest first, each checked as `checkpoint` is. Page with `before` (the size of the last one seen).",
    complexity: ({ args, childComplexity }) => QUERY_COST + Math.min(Number(args.first ?? DEFAULT_CHECKPOINTS), 10_000) * (QUERY_COST + childComplexity),
  })
  async checkpoints(
    @Arg("log", () => String) logName: string,
    @Arg("first", () => Int, { nullable: true, description: `How many (default ${DEFAULT_CHECKPOINTS}, at most the server's page limit).` }) first: number | undefined,
    @Arg("before", () => BigIntScalar, { nullable: true, description: "Only checkpoints of a smaller tree size." }) before: bigint | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<Checkpoint[]> {
    const limit = first ?? DEFAULT_CHECKPOINTS;
    if (!Number.isInteger(limit) || limit < 1 || limit > ctx.maxPageSize) throw new ApiError("BAD_USER_INPUT", `first: got ${limit}, want 1–${ctx.maxPageSize}`);
    const below = before === undefined || before === null ? undefined : count("before", before);
    return db(ctx).use(async (tx) => {
      const log = await tx.findLog(logName);
      const rows = await tx.checkpointsBelow(log.id, limit, below);
      const trusted = await trustedOf(ctx, tx, log);
      const served: Checkpoint[] = [];
      for (const row of rows) served.push(await servedCheckpoint(ctx, tx, log, row, trusted));
      ctx.rows.count += served.length;
      return served;
    });
  }

  @Authorized("proofs:read")
  @Query(() => ConsistencyProof, { description: "Proof that the tree of `from` entries is a prefix of the tree of `to` (default: the current size)." })
  async consistencyProof(
    @Arg("log", () => String) logName: string,
    @Arg("from", () => BigIntScalar) fromArg: bigint,
    @Arg("to", () => BigIntScalar, { nullable: true }) toArg: bigint | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<ConsistencyProof> {
    const from = count("from", fromArg);
    const to = toArg === undefined || toArg === null ? undefined : count("to", toArg);
    return db(ctx).use(async (tx) => {
      const log = await tx.findLog(logName);
      const proof = await consistencyProofFor(tx, log.name, from, to);
      const [c1, c2] = await Promise.all([tx.checkpointAt(log.id, proof.size1), tx.checkpointAt(log.id, proof.size2)]);
      // The proof links its roots, and the larger root is on the signed history (so the smaller is too).
      const [s1, s2] = await guarded(ctx, async () => {
        ReadVerifier.checkConsistency(log.name, proof.size1, proof.size2, proof.proof, proof.root1, proof.root2);
        const trusted = await trustedOf(ctx, tx, log);
        if (trusted) await ctx.integrity.verifier.anchor(tx, log, trusted, proof.size2, proof.root2);
        return Promise.all([c1 && servedCheckpoint(ctx, tx, log, c1, trusted), c2 && servedCheckpoint(ctx, tx, log, c2, trusted)]);
      });
      ctx.rows.count += 1;
      return Object.assign(new ConsistencyProof(), {
        log: log.name,
        fromSize: proof.size1,
        toSize: proof.size2,
        hashes: proof.proof.map(toBase64),
        fromRoot: toBase64(proof.root1),
        toRoot: toBase64(proof.root2),
        fromCheckpoint: s1 ?? null,
        toCheckpoint: s2 ?? null,
      });
    });
  }
}
