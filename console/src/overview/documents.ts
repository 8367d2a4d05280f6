import { graphql } from "../graphql";

export const SweepFields = graphql(`
  fragment SweepFields on Sweep { recordSeq at result mode durationMs fromSeq toSize firstBadSeq tamperClass message }
`);

export const OverviewQuery = graphql(`
  query ConsoleOverview {
    logs {
      name origin size createdAt leafVersion
      latestCheckpoint { size createdAt keyId cosignatures { witness keyId } }
      lastSweep { ...SweepFields }
      searchIndex { indexed pending oldestPendingAt }
    }
  }
`, [SweepFields]);

export const OpenAlertsQuery = graphql(`
  query ConsoleOpenAlerts {
    logs { name openAlerts { recordSeq type at message tamperClass firstBadSeq } }
  }
`);

export const SweepsQuery = graphql(`
  query ConsoleSweeps($log: String!, $first: Int) {
    sweeps(log: $log, first: $first) { ...SweepFields }
  }
`, [SweepFields]);

export const IntegrityQuery = graphql(`
  query ConsoleIntegrity($log: String!) {
    log(name: $log) {
      name origin size verifierKey
      latestCheckpoint { size root createdAt keyId note cosignatures { witness keyId line } }
    }
    sweeps(log: $log, first: 100) { ...SweepFields }
  }
`, [SweepFields]);

export const EventsPerDayQuery = graphql(`
  query ConsoleEventsPerDay($log: String!, $days: Int!) {
    eventsPerDay(log: $log, days: $days) { day kind count }
  }
`);
