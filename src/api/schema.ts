import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { noteExecutedRootFields } from "./executed-fields.js";
import { refuseUnstorableArguments } from "./storable-args.js";
import { authChecker } from "./auth-checker.js";
import { ActivityResolver } from "./resolvers/activity.resolver.js";
import { ErasureResolver } from "./resolvers/erasure.resolver.js";
import { AttestationResolver } from "./resolvers/attestation.resolver.js";
import { LegalHoldResolver } from "./resolvers/legal-hold.resolver.js";
import { RetentionResolver } from "./resolvers/retention.resolver.js";
import { CheckpointResolver } from "./resolvers/checkpoint.resolver.js";
import { EventAppendedResolver } from "./resolvers/event-appended.resolver.js";
import { EventResolver } from "./resolvers/event.resolver.js";
import { EvidencePackResolver } from "./resolvers/evidence-pack.resolver.js";
import { LogResolver } from "./resolvers/log.resolver.js";
import { LogHealthResolver } from "./resolvers/log-health.resolver.js";
import { PackBuildResolver } from "./resolvers/pack-build.resolver.js";
import { ProofResolver } from "./resolvers/proof.resolver.js";
import { RecordEventsResolver } from "./resolvers/record-events.resolver.js";
import { SweepResolver } from "./resolvers/sweep.resolver.js";
import { TmuxSessionResolver } from "./resolvers/tmux-session.resolver.js";

let built: Promise<GraphQLSchema> | undefined;

/** The API's schema, built once per process (type-graphql's metadata is global). */
export function apiSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [LogResolver, LogHealthResolver, PackBuildResolver, CheckpointResolver, EventResolver, ProofResolver, SweepResolver, TmuxSessionResolver, ActivityResolver, EventAppendedResolver, RecordEventsResolver, EvidencePackResolver, ErasureResolver, LegalHoldResolver, RetentionResolver, AttestationResolver],
    authChecker,
    authMode: "error",
    validate: false,
    // Required by type-graphql as soon as a subscription exists, though eventAppended brings
    // its own `subscribe` (the Postgres LISTEN feed) and never uses topics.
    pubSub: {
      publish: () => {},
      subscribe: () => {
        throw new Error("topic subscriptions are not used");
      },
    },
    // The argument check inside, the note of the executed field outside: a refused field is recorded.
  }).then(refuseUnstorableArguments).then(noteExecutedRootFields);
  return built;
}
