import { Field, InputType } from "type-graphql";
import { JSONScalar } from "../scalars.js";
import { Outcome } from "./event.type.js";

@InputType({
  description:
    "An event as a source records it. The PCI DSS 10.2.2 fields are required; each kind then has its own actions and payload " +
    "(see docs/ingestion.md). Checked per event: a bad event is refused in its receipt, the others are recorded.",
})
export class EventInput {
  @Field(() => String, { description: "deploy, config.change, access, error, tmux.session, tmux.output or custom." })
  kind!: string;

  @Field(() => String, { description: "Who acted (user identification)." })
  actor!: string;

  @Field(() => String, { description: "What was done; one of the kind's actions." })
  action!: string;

  @Field(() => String, { description: "The affected data, component or resource." })
  resource!: string;

  @Field(() => Outcome)
  outcome!: Outcome;

  @Field(() => String, { description: "Origination: the host, service or system that reports the event." })
  source!: string;

  @Field(() => String, { description: "When it happened, by the source's clock: RFC 3339 with an offset, to the millisecond (finer digits other than zeros are refused)." })
  occurredAt!: string;

  @Field(() => [String], { nullable: true })
  tags?: string[];

  @Field(() => JSONScalar, { nullable: true, description: "The kind's payload: a JSON object." })
  payload?: unknown;

  @Field(() => String, {
    nullable: true,
    description: "The source's own key: an event with a key the log holds already is not appended again. Default: one derived from the request.",
  })
  idempotencyKey?: string;
}
