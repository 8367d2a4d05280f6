import { Field, InputType, ObjectType } from "type-graphql";
import { BigIntScalar } from "../scalars.js";

@ObjectType({ description: "What a legal hold covers: every condition given must hold of an entry; none: the whole log." })
export class HoldScope {
  @Field(() => String, { nullable: true, description: "occurred_at at or after (RFC 3339)." })
  from!: string | null;

  @Field(() => String, { nullable: true, description: "occurred_at before (RFC 3339)." })
  to!: string | null;

  @Field(() => [String], { nullable: true })
  actors!: string[] | null;

  @Field(() => [String], { nullable: true })
  kinds!: string[] | null;

  @Field(() => String, { nullable: true })
  action!: string | null;

  @Field(() => String, { nullable: true })
  resource!: string | null;

  @Field(() => String, { nullable: true })
  source!: string | null;

  @Field(() => [String], { nullable: true, description: "Entries carrying all of these tags." })
  tags!: string[] | null;
}

@ObjectType({ description: "A legal hold on a log: held entries are never erased or expired (docs/erasure.md)." })
export class LegalHold {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  log!: string;

  @Field(() => HoldScope)
  scope!: HoldScope;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { nullable: true, description: "The case or matter it serves." })
  matter!: string | null;

  @Field(() => String)
  createdBy!: string;

  @Field(() => BigIntScalar, { description: "The seq of its sealtrail.legal-hold record in the log." })
  recordSeq!: number;

  @Field(() => Boolean)
  active!: boolean;

  @Field(() => String, { nullable: true })
  releasedBy!: string | null;

  @Field(() => String, { nullable: true })
  releaseReason!: string | null;

  @Field(() => BigIntScalar, { nullable: true, description: "The seq of its release record; null while active." })
  releaseSeq!: number | null;
}

@InputType({ description: "A legal hold to place on one log of the tenant." })
export class LegalHoldInput {
  @Field(() => String)
  log!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { nullable: true })
  matter?: string;

  @Field(() => String, { nullable: true, description: "occurred_at at or after (RFC 3339)." })
  from?: string;

  @Field(() => String, { nullable: true, description: "occurred_at before (RFC 3339)." })
  to?: string;

  @Field(() => [String], { nullable: true })
  actors?: string[];

  @Field(() => [String], { nullable: true })
  kinds?: string[];

  @Field(() => String, { nullable: true })
  action?: string;

  @Field(() => String, { nullable: true })
  resource?: string;

  @Field(() => String, { nullable: true })
  source?: string;

  @Field(() => [String], { nullable: true })
  tags?: string[];
}
