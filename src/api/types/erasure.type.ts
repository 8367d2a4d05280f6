import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { BigIntScalar } from "../scalars.js";

export enum ErasureState {
  PENDING = "PENDING",
  DONE = "DONE",
}
registerEnumType(ErasureState, { name: "ErasureState", description: "PENDING: a four-eyes request waiting for a second admin; DONE: carried out." });

@ObjectType({ description: "Seqs from ≤ seq < to." })
export class SeqSpan {
  @Field(() => BigIntScalar)
  from!: number;

  @Field(() => BigIntScalar)
  to!: number;
}

@ObjectType({ description: "An erasure request (GDPR Art. 17) on a format-2 log, as the log's own records tell it (docs/erasure.md). It names seqs and fields, never the values nor the data subject." })
export class ErasureRequest {
  @Field(() => String, { description: "The request's id." })
  id!: string;

  @Field(() => String)
  log!: string;

  @Field(() => ErasureState)
  state!: ErasureState;

  @Field(() => [SeqSpan], { description: "The entries it covers." })
  seqs!: SeqSpan[];

  @Field(() => Int, { description: "How many entries it covers." })
  entries!: number;

  @Field(() => [String], { description: "The committed fields it erases: actor, resource, payload." })
  fields!: string[];

  @Field(() => String)
  reason!: string;

  @Field(() => String)
  legalBasis!: string;

  @Field(() => String)
  requestedBy!: string;

  @Field(() => String, { nullable: true, description: "The second admin who approved it (four-eyes); null otherwise." })
  approvedBy!: string | null;

  @Field(() => BigIntScalar, { description: "The seq of its request record (four-eyes), else of its first erasure record." })
  recordSeq!: number;

  @Field(() => [BigIntScalar], { description: "The seqs of the sealtrail.erasure records that carried it out; empty while pending." })
  erasureSeqs!: number[];

  @Field(() => Int, { nullable: true, description: "Values removed by this call (requestErasure without four-eyes, approveErasure); null elsewhere. Values removed before are not counted again." })
  valuesRemoved!: number | null;
}
