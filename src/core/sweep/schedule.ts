/**
 * When sweeps run (DESIGN.md "Jobs"): a full sweep nightly at 02:00 UTC and an incremental
 * one every five minutes, by default; each deployment may set its own cron patterns.
 */
export type SweepMode = "full" | "incremental";

export const DEFAULT_FULL_SWEEP_CRON = "0 2 * * *";
export const DEFAULT_INCREMENTAL_SWEEP_CRON = "*/5 * * * *";
/** How often the worker looks for logs due a checkpoint (the policy decides which are). */
export const CHECKPOINT_TICK_MS = 5_000;
