import { Field, ObjectType } from "type-graphql";
import { Event } from "./event.type.js";
import { NotSearchedRange } from "./not-searched.type.js";

@ObjectType({ description: "Relay PageInfo." })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: "Always false: pages run forward only." })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class EventEdge {
  @Field(() => String, { description: "Opaque cursor of this entry; pass it as `after`." })
  cursor!: string;

  @Field(() => Event)
  node!: Event;
}

@ObjectType({ description: "A page of events in (log, seq) order (Relay cursor connection)." })
export class EventConnection {
  @Field(() => [EventEdge])
  edges!: EventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => [NotSearchedRange], {
    description:
      "The archived ranges of the filter's logs this search did not look at, the same on every page; empty when every entry in scope was searched. " +
      "A filter with text, actor or resource searches archived entries through the search index; any other filter reads the main tables only.",
  })
  notSearched!: NotSearchedRange[];
}
