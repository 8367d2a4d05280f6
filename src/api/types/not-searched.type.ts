import { Field, ObjectType, registerEnumType } from "type-graphql";
import { BigIntScalar } from "../scalars.js";

export enum NotSearchedReason {
  filter_not_indexed = "filter_not_indexed",
  index_not_kept = "index_not_kept",
}
registerEnumType(NotSearchedReason, {
  name: "NotSearchedReason",
  description:
    "filter_not_indexed: archived entries are searched through the search index only, and the filter has no text, actor or resource; " +
    "index_not_kept: the range was archived without its search index (before the index was kept across archiving, or the index was rebuilt since).",
});

@ObjectType({ description: "Archived seqs [from, to) of a log that a search did not look at (docs/api.md, \"Searching archived entries\"): read them with event(log, seq), or narrow the filter." })
export class NotSearchedRange {
  @Field(() => String)
  log!: string;

  @Field(() => BigIntScalar)
  from!: number;

  @Field(() => BigIntScalar, { description: "Exclusive." })
  to!: number;

  @Field(() => NotSearchedReason)
  reason!: NotSearchedReason;
}
