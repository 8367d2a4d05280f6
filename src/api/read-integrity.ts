import type { IntegrityAlarm } from "./integrity-alarm.js";
import type { ReadVerifier } from "./read-verifier.js";

/** The server's verified reads, shared by its requests: its checkpoint trust and its alarm (verified-reads.ts). */
export interface ReadIntegrity {
  verifier: ReadVerifier;
  alarm: IntegrityAlarm;
}
