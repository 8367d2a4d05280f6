/**
 * Erasure requests (GDPR Art. 17; docs/erasure.md), scope admin: requested, approved by a
 * second admin key (four-eyes) and listed. Each is recorded in the log (its erasure records)
 * and in the tenant's audit log; a refusal (legal hold, self-approval) is FORBIDDEN and recorded.
 */
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { COMMITTED_FIELDS, type CommittedField, RESERVED_NAME_PREFIX } from "../../core/entry/index.js";
import { approveErasure, eraseValues, type ErasureRequestListing, type ErasureResult, listErasureRequests, recordedAdminAction, requestErasure } from "../../ledger/index.js";
import { actingKey, adminStore, API_SOURCE, tenantLog } from "../admin-log.js";
import { ApiError, toApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { count } from "../ledger-view.js";
import { QUERY_COST } from "../limits.js";
import { ErasureRequest, ErasureState, SeqSpan } from "../types/erasure.type.js";
import { ErasureInput } from "../types/erasure.input.js";

/** Most seqs one request may name; a data subject's entries are named by actor instead. */
const MAX_SEQS = 100_000;

function spans(list: readonly (readonly [number, number])[]): SeqSpan[] {
  return list.map(([from, to]) => Object.assign(new SeqSpan(), { from, to }));
}

function fromListing(log: string, r: ErasureRequestListing): ErasureRequest {
  return Object.assign(new ErasureRequest(), {
    id: r.request, log, state: r.state === "done" ? ErasureState.DONE : ErasureState.PENDING, seqs: spans(r.seqs), entries: r.entries, fields: r.fields,
    reason: r.reason, legalBasis: r.legalBasis, requestedBy: r.requestedBy, approvedBy: r.approvedBy, recordSeq: r.recordSeq, erasureSeqs: r.erasureSeqs, valuesRemoved: null,
  });
}

function fromResult(log: string, r: ErasureResult, o: { reason: string; legalBasis: string; requestedBy: string; approvedBy: string | null }): ErasureRequest {
  return Object.assign(new ErasureRequest(), {
    id: r.request, log, state: ErasureState.DONE, seqs: spans(r.seqs), entries: r.entries, fields: r.fields, ...o,
    recordSeq: r.recordSeqs[0]!, erasureSeqs: r.recordSeqs, valuesRemoved: r.values,
  });
}

function checkInput(input: ErasureInput): { target: { actor: string } | { seqs: number[] }; fields?: CommittedField[] } {
  const hasActor = input.actor !== undefined && input.actor !== null;
  const hasSeqs = input.seqs !== undefined && input.seqs !== null;
  if (hasActor === hasSeqs) throw new ApiError("BAD_USER_INPUT", "input: give either actor (a data subject) or seqs (entries), not both");
  if (hasSeqs && (input.seqs!.length === 0 || input.seqs!.length > MAX_SEQS)) throw new ApiError("BAD_USER_INPUT", `input.seqs: got ${input.seqs!.length}, want 1–${MAX_SEQS}`);
  if (hasActor && input.actor === "") throw new ApiError("BAD_USER_INPUT", "input.actor: want the data subject's actor value");
  let fields: CommittedField[] | undefined;
  if (input.fields !== undefined && input.fields !== null) {
    for (const f of input.fields) if (!(COMMITTED_FIELDS as readonly string[]).includes(f)) throw new ApiError("BAD_USER_INPUT", `input.fields: got ${JSON.stringify(f)}, want ${COMMITTED_FIELDS.join(", ")}`);
    fields = input.fields as CommittedField[];
  }
  const target = hasActor ? { actor: input.actor! } : { seqs: input.seqs!.map((s, i) => count(`input.seqs[${i}]`, s)) };
  return { target, ...(fields ? { fields } : {}) };
}

@Resolver(() => ErasureRequest)
export class ErasureResolver {
  @Authorized("admin")
  @Mutation(() => ErasureRequest, {
    description:
      "Erase the personal values (actor, resource, payload) of a data subject's entries, or of given entries, of a format-2 log of the tenant by crypto-shredding; " +
      "every proof stays valid. With fourEyes the request is only recorded (PENDING) for a different admin key to approve. Entries under a legal hold are never erased: " +
      "the request is refused (FORBIDDEN) and the refusal recorded. Recorded in the log and in the tenant's audit log (which never names the data subject).",
  })
  async requestErasure(@Arg("input", () => ErasureInput) input: ErasureInput, @Ctx() ctx: ApiContext): Promise<ErasureRequest> {
    const { target, fields } = checkInput(input);
    const log = await tenantLog(ctx, input.log);
    if (log.name.startsWith(RESERVED_NAME_PREFIX)) throw new ApiError("FORBIDDEN", `log ${JSON.stringify(log.name)} is kept by the ledger; its entries are not erased`);
    const { writer, originPrefix } = adminStore(ctx);
    const by = actingKey(ctx);
    const request = { log: log.name, target, reason: input.reason, legalBasis: input.legalBasis, requestedBy: by, ...(fields ? { fields } : {}) };
    const action = { kind: "erasure" as const, log: log.name, by, source: API_SOURCE };
    try {
      if (input.fourEyes) {
        const r = await recordedAdminAction(writer, originPrefix, { ...action, action: "erasure.request" }, () => requestErasure(writer, request), (r) => ({ request: r.request, recordSeq: r.recordSeq, entries: r.entries, fields: r.fields, fourEyes: true }));
        return Object.assign(new ErasureRequest(), {
          id: r.request, log: log.name, state: ErasureState.PENDING, seqs: spans(r.seqs), entries: r.entries, fields: r.fields, reason: input.reason, legalBasis: input.legalBasis,
          requestedBy: by, approvedBy: null, recordSeq: r.recordSeq, erasureSeqs: [], valuesRemoved: null,
        });
      }
      const r = await recordedAdminAction(writer, originPrefix, { ...action, action: "erasure.execute" }, () => eraseValues(writer, request), (r) => ({ request: r.request, recordSeqs: r.recordSeqs, entries: r.entries, values: r.values, fields: r.fields }));
      return fromResult(log.name, r, { reason: input.reason, legalBasis: input.legalBasis, requestedBy: by, approvedBy: null });
    } catch (error) {
      throw toApiError(error);
    }
  }

  @Authorized("admin")
  @Mutation(() => ErasureRequest, { description: "Approve a PENDING erasure request and carry it out. The approving key must not be the requesting one (four-eyes); legal holds are checked again. A refusal is FORBIDDEN and recorded." })
  async approveErasure(@Arg("log", () => String) logName: string, @Arg("id", () => String) id: string, @Ctx() ctx: ApiContext): Promise<ErasureRequest> {
    const log = await tenantLog(ctx, logName);
    const { writer, originPrefix } = adminStore(ctx);
    const by = actingKey(ctx);
    try {
      const pending = (await listErasureRequests(writer, log.name)).find((r) => r.request === id);
      const r = await recordedAdminAction(writer, originPrefix, { kind: "erasure", action: "erasure.approve", log: log.name, by, source: API_SOURCE }, () => approveErasure(writer, { log: log.name, request: id, approvedBy: by }),
        (r) => ({ request: r.request, recordSeqs: r.recordSeqs, entries: r.entries, values: r.values, fields: r.fields }));
      return fromResult(log.name, r, { reason: pending!.reason, legalBasis: pending!.legalBasis, requestedBy: pending!.requestedBy, approvedBy: by });
    } catch (error) {
      throw toApiError(error);
    }
  }

  @Authorized("admin")
  @Query(() => [ErasureRequest], { description: "The erasure requests of one of the tenant's logs, oldest first: PENDING four-eyes requests and DONE erasures.", complexity: QUERY_COST })
  async erasureRequests(@Arg("log", () => String) logName: string, @Ctx() ctx: ApiContext): Promise<ErasureRequest[]> {
    const log = await tenantLog(ctx, logName);
    const list = await db(ctx).use((tx) => listErasureRequests(tx, log.name));
    ctx.rows.count += list.length;
    return list.map((r) => fromListing(log.name, r));
  }
}
