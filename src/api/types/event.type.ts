import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { BigIntScalar, DateTimeScalar, JSONScalar } from "../scalars.js";
import { ErasedField } from "./erased-field.type.js";

export enum Outcome {
  success = "success",
  failure = "failure",
}
registerEnumType(Outcome, { name: "Outcome", description: "PCI DSS 10.2.2: success or failure of the event." });

@ObjectType({ description: "A ledger entry: an event as recorded, with the hashes that commit to it." })
export class Event {
  logId!: number;

  @Field(() => String, { description: "Name of the log." })
  log!: string;

  @Field(() => BigIntScalar, { description: "Position in the log, gapless from 0: the Merkle leaf index." })
  seq!: number;

  @Field(() => String)
  kind!: string;

  @Field(() => String, { nullable: true, description: "Who acted; null only when erased or expired (see erased)." })
  actor!: string | null;

  @Field(() => String)
  action!: string;

  @Field(() => String, { nullable: true, description: "What was acted on; null only when erased or expired (see erased)." })
  resource!: string | null;

  @Field(() => Outcome)
  outcome!: Outcome;

  @Field(() => String, { description: "Where the event came from (a host, a service, a webhook source)." })
  source!: string;

  @Field(() => DateTimeScalar, { description: "When the event happened, by its source's clock." })
  occurredAt!: Date;

  @Field(() => DateTimeScalar, { description: "When the ledger recorded it." })
  recordedAt!: Date;

  @Field(() => [String])
  tags!: string[];

  @Field(() => JSONScalar, { nullable: true, description: "The payload; null when it was redacted (payloadRedacted), or erased or expired (see erased)." })
  payload!: unknown;

  @Field(() => Boolean, { description: "True when the payload was removed; payloadHash still proves what it was." })
  payloadRedacted!: boolean;

  @Field(() => [ErasedField], {
    description: "The values removed from this entry under an erasure or expiry record of its log (format 2; docs/erasure.md), each with the record's seq and request: the fields listed are null because they were erased, not because they are missing. Empty when nothing was removed.",
  })
  erased!: ErasedField[];

  @Field(() => Int, { description: "The log's leaf format (docs/leaf-format.md): 1, or 2 (salted commitments)." })
  leafVersion!: number;

  @Field(() => String, { description: "Format 1: SHA-256 of the payload's RFC 8785 canonical JSON; format 2: the payload's salted commitment. Base64." })
  payloadHash!: string;

  @Field(() => String, { description: "The Merkle leaf hash (RFC 9162 §2.1.1), base64." })
  leafHash!: string;

  @Field(() => String, { description: "SHA-256(previous chain hash || leaf hash), base64." })
  chainHash!: string;

  @Field(() => String, { nullable: true, description: "The key the event was appended under; null for an entry read from the archive, whose files do not keep it." })
  idempotencyKey!: string | null;
}
