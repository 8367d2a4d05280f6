import { graphql } from "../graphql";

export const SessionsQuery = graphql(`
  query ConsoleTmuxSessions($log: String, $first: Int) {
    tmuxSessions(log: $log, first: $first) { log server session sessionId host user startedAt endedAt lastAt panes commands chunks }
  }
`);

export const RecordedEntryFields = graphql(`
  fragment RecordedEntry on Event {
    log seq kind actor action resource outcome source occurredAt recordedAt tags payload payloadHash payloadRedacted leafHash
  }
`);

export const RecordingQuery = graphql(`
  query ConsolePaneRecording($log: String!, $server: String!, $pane: String!) {
    log(name: $log) { origin verifierKey leafVersion }
    paneRecording(log: $log, server: $server, pane: $pane) {
      complete
      gaps { from to }
      chunks { ...RecordedEntry }
      commands { ...RecordedEntry }
    }
  }
`, [RecordedEntryFields]);

export const RecordingProofsQuery = graphql(`
  query ConsolePaneRecordingProofs($log: String!, $server: String!, $pane: String!) {
    log(name: $log) { origin verifierKey }
    paneRecording(log: $log, server: $server, pane: $pane) {
      chunks { seq inclusionProof { leafIndex treeSize hashes root checkpoint { note size } } }
    }
  }
`);
