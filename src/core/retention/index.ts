/** Retention: per-log policies (PCI DSS 10.5.1) and where the archived prefix of a log may end. */
export { archiveBound } from "./archive-bound.js";
export { clearCutoff, DEFAULT_RETENTION, hotCutoff, MAX_RETENTION_DAYS, meetsPciRetention, type RetentionPolicy, retentionPolicy } from "./policy.js";
export { RETENTION_KIND, retentionEvent, type RetentionRecord, retentionRecordKey } from "./record.js";
