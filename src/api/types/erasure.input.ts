import { Field, InputType } from "type-graphql";
import { BigIntScalar } from "../scalars.js";

@InputType({ description: "An erasure request: a data subject (actor) or entries (seqs) of one format-2 log of the tenant." })
export class ErasureInput {
  @Field(() => String)
  log!: string;

  @Field(() => String, { nullable: true, description: "The data subject: every entry of the log whose actor is this. Give actor or seqs, not both." })
  actor?: string;

  @Field(() => [BigIntScalar], { nullable: true, description: "The entries, by seq." })
  seqs?: bigint[];

  @Field(() => [String], { nullable: true, description: "actor, resource, payload (default all three)." })
  fields?: string[];

  @Field(() => String, { description: "Why: the subject's request, its date and reference." })
  reason!: string;

  @Field(() => String, { description: "e.g. \"GDPR Art. 17(1)(a)\"." })
  legalBasis!: string;

  @Field(() => Boolean, { nullable: true, description: "Record the request only; a different admin key carries it out with approveErasure (default false)." })
  fourEyes?: boolean;
}
