import { Field, ObjectType } from "type-graphql";
import { BigIntScalar, DateTimeScalar } from "../scalars.js";

@ObjectType({ description: "A signed tree head: a C2SP tlog-checkpoint in a C2SP signed note (Ed25519)." })
export class Checkpoint {
  @Field(() => String, { description: "Name of the log." })
  log!: string;

  @Field(() => String, { description: "The checkpoint's origin line, also the signer's name." })
  origin!: string;

  @Field(() => BigIntScalar, { description: "Tree size: the number of entries the checkpoint commits to." })
  size!: number;

  @Field(() => String, { description: "Merkle tree root (RFC 9162 §2.1.1), base64." })
  root!: string;

  @Field(() => String, { description: "The signed note, exactly as signed; verify it with the log's verifier key." })
  note!: string;

  @Field(() => String, { description: "Key ID of the signature (hex)." })
  keyId!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}
