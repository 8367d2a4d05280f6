import { Field, ObjectType } from "type-graphql";
import { BigIntScalar, DateTimeScalar } from "../scalars.js";

@ObjectType({ description: "How far the search index (full text, actor, resource) is behind a log. Searches still find the entries it lacks, read from the log itself, only more slowly." })
export class SearchIndexLag {
  @Field(() => BigIntScalar, { description: "Entries in the index: every seq below this." })
  indexed!: number;

  @Field(() => BigIntScalar, { description: "Entries not yet indexed." })
  pending!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the oldest entry not yet indexed was recorded (ledger clock); null when the index is caught up." })
  oldestPendingAt!: Date | null;
}

@ObjectType({ description: "An integrity alert recorded in the tenant's audit log (an `integrity.alert` entry, PCI DSS 10.7.2)." })
export class IntegrityAlert {
  @Field(() => BigIntScalar, { description: "Seq of the alert's entry in the audit log." })
  recordSeq!: number;

  @Field(() => String, { description: "sweep.tampered, sweep.error, checkpoint.refused, witness.error, witness.refused, witness.quorum or read.inconsistent." })
  type!: string;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => String)
  message!: string;

  @Field(() => String, { nullable: true, description: "What kind of change a sweep found." })
  tamperClass!: string | null;

  @Field(() => BigIntScalar, { nullable: true, description: "The first entry found changed, when known." })
  firstBadSeq!: number | null;

  @Field(() => String, { description: "Who raised it: the sweep or checkpoint run, or the API read." })
  run!: string;
}
