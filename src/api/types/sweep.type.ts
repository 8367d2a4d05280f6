import { Field, ObjectType } from "type-graphql";
import { BigIntScalar, DateTimeScalar } from "../scalars.js";

@ObjectType({ description: "An integrity sweep of a log, as recorded in its tenant's audit log (a `sweep` entry)." })
export class Sweep {
  @Field(() => String, { description: "verified, tampered, or error (the sweep could not run)." })
  result!: string;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => BigIntScalar, { nullable: true, description: "First seq the sweep covered." })
  fromSeq!: number | null;

  @Field(() => BigIntScalar, { nullable: true, description: "Tree size the sweep verified up to." })
  toSize!: number | null;

  @Field(() => BigIntScalar, { nullable: true })
  durationMs!: number | null;

  @Field(() => BigIntScalar, { nullable: true, description: "On failure: the first bad seq." })
  firstBadSeq!: number | null;

  @Field(() => String, { nullable: true, description: "On failure: the tamper class." })
  tamperClass!: string | null;

  @Field(() => String, { nullable: true, description: "full, or incremental (only what followed the last verified checkpoint, and the link to it)." })
  mode!: string | null;

  @Field(() => String, { nullable: true, description: "What the sweep found first, or why it could not run." })
  message!: string | null;

  @Field(() => BigIntScalar, { description: "Seq of the sweep's record in the audit log." })
  recordSeq!: number;
}
