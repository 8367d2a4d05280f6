import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { BigIntScalar } from "../scalars.js";

export enum ReceiptStatus {
  ACCEPTED = "accepted",
  REJECTED = "rejected",
}
registerEnumType(ReceiptStatus, { name: "ReceiptStatus", description: "accepted: queued (and with wait: true, committed); rejected: refused, never stored." });

@ObjectType({ description: "Why an event was refused." })
export class EventRejection {
  @Field(() => String, { description: "NOT_AN_OBJECT, UNKNOWN_KIND, MISSING_FIELD, INVALID_FIELD or PAYLOAD_TOO_LARGE." })
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType({ description: "What became of one event of a recordEvents request, in the order sent." })
export class EventReceipt {
  @Field(() => Int, { description: "Position of the event in the request." })
  index!: number;

  @Field(() => String, { description: "Re-send the event with this key and it is recorded at most once." })
  idempotencyKey!: string;

  @Field(() => ReceiptStatus)
  status!: ReceiptStatus;

  @Field(() => EventRejection, { nullable: true })
  reason?: EventRejection | null;

  @Field(() => BigIntScalar, { nullable: true, description: "With wait: true, once committed: the entry's seq." })
  seq?: number | null;

  @Field(() => String, { nullable: true, description: "With wait: true, once committed: the entry's leaf hash (base64)." })
  leafHash?: string | null;

  @Field(() => Boolean, { nullable: true, description: "With wait: true, once committed: the key was in the log already and nothing was appended." })
  duplicate?: boolean | null;
}

@ObjectType({ description: "The outcome of a recordEvents request." })
export class RecordEventsResult {
  @Field(() => String)
  log!: string;

  @Field(() => Int)
  accepted!: number;

  @Field(() => Int)
  rejected!: number;

  @Field(() => Boolean, {
    description:
      "True when the accepted events are committed to the ledger (wait: true and the worker finished in time). " +
      "False without wait, or when the wait ran out: the events stay queued and will be committed; re-sending them with their keys is safe.",
  })
  committed!: boolean;

  @Field(() => [EventReceipt])
  receipts!: EventReceipt[];
}
