import { Field, ObjectType, registerEnumType } from "type-graphql";
import { BigIntScalar, DateTimeScalar, JSONScalar } from "../scalars.js";

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

  @Field(() => String)
  actor!: string;

  @Field(() => String)
  action!: string;

  @Field(() => String)
  resource!: string;

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

  @Field(() => JSONScalar, { nullable: true, description: "The payload; null when it was redacted (payloadRedacted)." })
  payload!: unknown;

  @Field(() => Boolean, { description: "True when the payload was removed; payloadHash still proves what it was." })
  payloadRedacted!: boolean;

  @Field(() => String, { description: "SHA-256 of the payload's RFC 8785 canonical JSON, base64." })
  payloadHash!: string;

  @Field(() => String, { description: "The Merkle leaf hash (RFC 9162 §2.1.1), base64." })
  leafHash!: string;

  @Field(() => String, { description: "SHA-256(previous chain hash || leaf hash), base64." })
  chainHash!: string;

  @Field(() => String)
  idempotencyKey!: string;
}
