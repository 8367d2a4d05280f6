import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { withCosignatures } from "../../ledger/index.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { QUERY_COST } from "../limits.js";
import { Checkpoint, Cosignature } from "../types/checkpoint.type.js";

// Both fields read the same lines: one query per checkpoint object, shared.
const lines = new WeakMap<Checkpoint, Promise<Cosignature[]>>();
function cosignatures(checkpoint: Checkpoint, ctx: ApiContext): Promise<Cosignature[]> {
  let found = lines.get(checkpoint);
  if (!found) {
    found = db(ctx).use(async (tx) => (await tx.cosignaturesAt(checkpoint.logId, checkpoint.size)).map((r) => Object.assign(new Cosignature(), { witness: r.witness, keyId: r.keyId, line: r.line })));
    lines.set(checkpoint, found);
  }
  return found;
}

@Resolver(() => Checkpoint)
export class CheckpointResolver {
  @FieldResolver(() => [Cosignature], { description: "The witnesses' cosignatures of this checkpoint (C2SP tlog-cosignature), in the order they were stored.", complexity: QUERY_COST })
  cosignatures(@Root() checkpoint: Checkpoint, @Ctx() ctx: ApiContext): Promise<Cosignature[]> {
    return cosignatures(checkpoint, ctx);
  }

  @FieldResolver(() => String, {
    description: "The signed note with the witnesses' cosignature lines appended, as the tiles' checkpoint serves it: a C2SP signed-note verifier checks the lines of the keys it knows and ignores the rest.",
    complexity: QUERY_COST,
  })
  async cosignedNote(@Root() checkpoint: Checkpoint, @Ctx() ctx: ApiContext): Promise<string> {
    return withCosignatures(checkpoint.note, await cosignatures(checkpoint, ctx));
  }
}
