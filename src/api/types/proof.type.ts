import { Field, ObjectType } from "type-graphql";
import { BigIntScalar } from "../scalars.js";
import { Checkpoint } from "./checkpoint.type.js";

@ObjectType({ description: "RFC 9162 §2.1.3 inclusion proof of one entry in a tree of a given size." })
export class InclusionProof {
  @Field(() => String)
  log!: string;

  @Field(() => BigIntScalar, { description: "The entry's seq: its leaf index." })
  leafIndex!: number;

  @Field(() => BigIntScalar)
  treeSize!: number;

  @Field(() => String, { description: "The leaf hash, base64." })
  leafHash!: string;

  @Field(() => [String], { description: "The proof's hashes, base64, leaf to root." })
  hashes!: string[];

  @Field(() => String, { description: "Root of the tree of treeSize, base64." })
  root!: string;

  @Field(() => Checkpoint, {
    nullable: true,
    description: "The signed checkpoint of treeSize the proof verifies against; null when no checkpoint was signed at that size (then only root is given).",
  })
  checkpoint!: Checkpoint | null;
}

@ObjectType({ description: "RFC 9162 §2.1.4 consistency proof: the tree of fromSize is a prefix of the tree of toSize." })
export class ConsistencyProof {
  @Field(() => String)
  log!: string;

  @Field(() => BigIntScalar)
  fromSize!: number;

  @Field(() => BigIntScalar)
  toSize!: number;

  @Field(() => [String], { description: "The proof's hashes, base64." })
  hashes!: string[];

  @Field(() => String, { description: "Root of the tree of fromSize, base64." })
  fromRoot!: string;

  @Field(() => String, { description: "Root of the tree of toSize, base64." })
  toRoot!: string;

  @Field(() => Checkpoint, { nullable: true, description: "The signed checkpoint of fromSize, when there is one." })
  fromCheckpoint!: Checkpoint | null;

  @Field(() => Checkpoint, { nullable: true, description: "The signed checkpoint of toSize, when there is one." })
  toCheckpoint!: Checkpoint | null;
}
