import { Field, InputType } from "type-graphql";
import { DateTimeScalar } from "../scalars.js";
import { Outcome } from "./event.type.js";

@InputType({ description: "A half-open time range [from, to); either end may be left open." })
export class TimeRange {
  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date;
}

@InputType({ description: "Every given field must match (AND); lists match any of their values unless said otherwise." })
export class EventFilter {
  @Field(() => [String], { nullable: true, description: "Log names; default every log of the tenant." })
  logs?: string[];

  @Field(() => [String], { nullable: true })
  kinds?: string[];

  @Field(() => String, { nullable: true })
  actor?: string;

  @Field(() => String, { nullable: true })
  action?: string;

  @Field(() => String, { nullable: true })
  resource?: string;

  @Field(() => Outcome, { nullable: true })
  outcome?: Outcome;

  @Field(() => String, { nullable: true })
  source?: string;

  @Field(() => [String], { nullable: true, description: "Entries carrying all of these tags." })
  tags?: string[];

  @Field(() => TimeRange, { nullable: true, description: "By the source's clock." })
  occurred?: TimeRange;

  @Field(() => TimeRange, { nullable: true, description: "By the ledger's clock." })
  recorded?: TimeRange;

  @Field(() => String, {
    nullable: true,
    description: "Full-text search over payloads and captured terminal text (web search syntax: words, \"a phrase\", or, -word).",
  })
  text?: string;

  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the payload, actor or resource: identifiers, hashes, paths." })
  contains?: string;
}
