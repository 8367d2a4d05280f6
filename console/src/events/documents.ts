import { graphql } from "../graphql";

/** Entries per page of the Events table. */
export const EVENTS_PAGE = 200;

export const EventRowFields = graphql(`
  fragment EventRow on Event { log seq kind actor action resource outcome recordedAt }
`);

export const EventsPageQuery = graphql(`
  query ConsoleEvents($filter: EventFilter, $first: Int, $after: String) {
    events(filter: $filter, first: $first, after: $after) {
      edges { cursor node { ...EventRow } }
      pageInfo { hasNextPage endCursor }
      notSearched { log from to reason }
    }
  }
`, [EventRowFields]);

export const LogNamesQuery = graphql(`
  query ConsoleLogNames { logs { name } }
`);

export const EventDetailQuery = graphql(`
  query ConsoleEvent($log: String!, $seq: BigInt!) {
    log(name: $log) { name origin verifierKey leafVersion }
    event(log: $log, seq: $seq) {
      log seq kind actor action resource outcome source occurredAt recordedAt tags idempotencyKey
      payload payloadHash payloadRedacted leafHash chainHash
      erased { field kind recordSeq request }
    }
  }
`);

export const EventProofQuery = graphql(`
  query ConsoleEventProof($log: String!, $seq: BigInt!) {
    log(name: $log) { origin verifierKey }
    event(log: $log, seq: $seq) {
      inclusionProof { leafIndex treeSize hashes root checkpoint { note size root keyId createdAt } }
    }
  }
`);
