import { Field, Int, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../scalars.js";

@ObjectType({ description: "A log: one append-only sequence of entries with one Merkle tree." })
export class Log {
  /** Internal id, used for ordering and cursors; not exposed. */
  id!: number;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  tenant!: string;

  @Field(() => String, { description: "C2SP checkpoint origin of the log; the name its checkpoints are signed under." })
  origin!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => Int, { description: "The leaf format of its entries (docs/leaf-format.md): 1, actor, resource and payload hash in clear; 2, salted commitments to them." })
  leafVersion!: number;
}
