import { Field, Int, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../scalars.js";

@ObjectType({ description: "How many entries of one kind a log recorded on one UTC day (by the ledger's clock)." })
export class DayKindCount {
  @Field(() => DateTimeScalar, { description: "Start of the UTC day." })
  day!: Date;

  @Field(() => String)
  kind!: string;

  @Field(() => Int)
  count!: number;
}
