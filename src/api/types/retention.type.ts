import { Field, Int, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../scalars.js";

@ObjectType({ description: "A log's retention policy (PCI DSS 10.5.1; docs/operations.md)." })
export class RetentionPolicy {
  @Field(() => Int, { description: "Days entries stay in the main tables before they move to the archive." })
  hotDays!: number;

  @Field(() => Int, { description: "Days clear values are kept." })
  clearDays!: number;

  @Field(() => Boolean, { description: "Whether it meets PCI DSS 10.5.1 (twelve months kept, three immediately available)." })
  meetsPciDss!: boolean;

  @Field(() => String, { nullable: true, description: "Who set it; null: the defaults." })
  setBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  setAt!: Date | null;
}
