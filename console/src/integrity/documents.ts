import { graphql } from "../graphql";

export const CheckpointsQuery = graphql(`
  query ConsoleCheckpoints($log: String!, $first: Int, $before: BigInt) {
    checkpoints(log: $log, first: $first, before: $before) { size root createdAt keyId note cosignatures { witness keyId } }
  }
`);

export const ConsistencyQuery = graphql(`
  query ConsoleConsistency($log: String!, $from: BigInt!, $to: BigInt!) {
    consistencyProof(log: $log, from: $from, to: $to) { fromSize toSize hashes }
  }
`);
