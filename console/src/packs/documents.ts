import { graphql } from "../graphql";

export const PackFields = graphql(`
  fragment PackFields on EvidencePack { id framework logs from to requestedBy requestedAt status progress phase packId downloadUrl sha256 bytes controls error }
`);

export const RequestPack = graphql(`
  mutation ConsoleRequestPack($framework: String!, $logs: [String!]!, $from: DateTime!, $to: DateTime!, $sampleSize: Int) {
    requestEvidencePack(framework: $framework, logs: $logs, from: $from, to: $to, sampleSize: $sampleSize) { ...PackFields }
  }
`, [PackFields]);

export const PackStatus = graphql(`
  query ConsolePack($id: ID!) { evidencePack(id: $id) { ...PackFields } }
`, [PackFields]);

export const PackBuildsQuery = graphql(`
  query ConsolePackBuilds($first: Int, $before: BigInt) {
    packBuilds(first: $first, before: $before) {
      recordSeq packId framework logs from to requestedBy requestedAt builtAt builtBy sha256sums recipient requestId
      request { ...PackFields }
    }
  }
`, [PackFields]);

export const PackRequestsQuery = graphql(`
  query ConsolePackRequests { evidencePacks { ...PackFields } }
`, [PackFields]);
