import { Field, ObjectType } from "type-graphql";
import { BigIntScalar, DateTimeScalar } from "../scalars.js";

@ObjectType({ description: "A witness cosignature of a checkpoint (C2SP tlog-cosignature, cosignature/v1 over Ed25519)." })
export class Cosignature {
  @Field(() => String, { description: "The witness's name, the signer name of its note signature line." })
  witness!: string;

  @Field(() => String, { description: "Key ID of the witness's cosigner key (hex)." })
  keyId!: string;

  @Field(() => String, { description: "The note signature line the witness returned, newline included." })
  line!: string;
}

@ObjectType({ description: "A signed tree head: a C2SP tlog-checkpoint in a C2SP signed note (Ed25519)." })
export class Checkpoint {
  /** The log's row id: the cosignature fields look their lines up by it. Not part of the schema. */
  logId!: number;

  @Field(() => String, { description: "Name of the log." })
  log!: string;

  @Field(() => String, { description: "The checkpoint's origin line, also the signer's name." })
  origin!: string;

  @Field(() => BigIntScalar, { description: "Tree size: the number of entries the checkpoint commits to." })
  size!: number;

  @Field(() => String, { description: "Merkle tree root (RFC 9162 §2.1.1), base64." })
  root!: string;

  @Field(() => String, { description: "The signed note, exactly as the log signed it; verify it with the log's verifier key. See cosignedNote for the witnesses' lines." })
  note!: string;

  @Field(() => String, { description: "Key ID of the signature (hex)." })
  keyId!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}
