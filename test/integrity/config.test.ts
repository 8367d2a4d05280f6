import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadIntegrityConfig } from "../../src/config/index.js";

describe("integrity configuration", () => {
  it("defaults to a nightly full sweep at 02:00 UTC, an incremental one every 5 minutes, and no webhooks", () => {
    expect(loadIntegrityConfig({})).toEqual({
      witnessDir: undefined, checkpointEvery: 10_000, checkpointIntervalMs: 60_000, fullSweepCron: "0 2 * * *", incrementalSweepCron: "*/5 * * * *",
      sweepQueue: "sweep", alertQueue: "alerts", sweepThreads: 2, alertWebhooks: [], alertSecret: undefined, alertTimeoutMs: 10_000, witnesses: [], witnessQuorum: undefined, tsaUrl: undefined,
      retentionCron: "30 3 * * *", archiveDir: join(homedir(), ".local", "state", "sealtrail", "archive"),
    });
    expect(loadIntegrityConfig({ SEALTRAIL_RETENTION_CRON: "off", SEALTRAIL_ARCHIVE_DIR: "/a", XDG_STATE_HOME: "/s" })).toMatchObject({ retentionCron: null, archiveDir: "/a" });
    expect(loadIntegrityConfig({ XDG_STATE_HOME: "/s" }).archiveDir).toBe("/s/sealtrail/archive");
    expect(() => loadIntegrityConfig({ SEALTRAIL_RETENTION_CRON: "daily" })).toThrow(/SEALTRAIL_RETENTION_CRON/);
  });

  it("takes each deployment's own schedule and webhooks", () => {
    const c = loadIntegrityConfig({
      SEALTRAIL_SWEEP_CRON: "30 3 * * 1", SEALTRAIL_SWEEP_INCREMENTAL_CRON: "off", SEALTRAIL_ALERT_WEBHOOKS: "https://a.example/h, http://b.example/h",
      SEALTRAIL_ALERT_SECRET: "s", SEALTRAIL_WITNESS_DIR: "/w", SEALTRAIL_CHECKPOINT_EVERY: "5", SEALTRAIL_CHECKPOINT_INTERVAL: "2",
    });
    expect(c).toMatchObject({
      fullSweepCron: "30 3 * * 1", incrementalSweepCron: null, alertWebhooks: ["https://a.example/h", "http://b.example/h"], witnessDir: "/w", checkpointEvery: 5, checkpointIntervalMs: 2000,
    });
  });

  it("reads the cosigning witnesses, URL and cosigner vkey each", () => {
    const w = "w.example+a06888a3+BEsmRlGiiPINZWvtwmW4JTrmWx8bvEfBcjZ/N4suTpbb";
    const v = "v.example+805b210c+BEsmRlGiiPINZWvtwmW4JTrmWx8bvEfBcjZ/N4suTpbb";
    const c = loadIntegrityConfig({ SEALTRAIL_WITNESSES: `https://a.example/w ${w}; http://b.example ${v}` });
    expect(c.witnesses.map((x) => [x.url, x.cosigner.name])).toEqual([["https://a.example/w", "w.example"], ["http://b.example", "v.example"]]);
  });

  it.each([
    [{ SEALTRAIL_SWEEP_CRON: "nightly" }, /SEALTRAIL_SWEEP_CRON/],
    [{ SEALTRAIL_ALERT_WEBHOOKS: "https://a.example/h" }, /SEALTRAIL_ALERT_SECRET/],
    [{ SEALTRAIL_ALERT_WEBHOOKS: "file:///etc/passwd", SEALTRAIL_ALERT_SECRET: "s" }, /SEALTRAIL_ALERT_WEBHOOKS/],
    [{ SEALTRAIL_SWEEP_QUEUE: "a:b" }, /SEALTRAIL_SWEEP_QUEUE/],
    [{ SEALTRAIL_CHECKPOINT_EVERY: "0" }, /SEALTRAIL_CHECKPOINT_EVERY/],
    [{ SEALTRAIL_WITNESSES: "https://w.example" }, /SEALTRAIL_WITNESSES: got "https:\/\/w.example", want "URL VKEY"/],
    [{ SEALTRAIL_WITNESSES: "ftp://w.example w+00000000+AQ==" }, /SEALTRAIL_WITNESSES/],
    [{ SEALTRAIL_WITNESSES: "https://w.example w+00000000+AQ==" }, /type 0x04/],
    [{ SEALTRAIL_TSA_URL: "tsa.example" }, /SEALTRAIL_TSA_URL/],
    [{ SEALTRAIL_WITNESS_QUORUM: "1" }, /SEALTRAIL_WITNESS_QUORUM: got 1, want at most the 0 witnesses/],
  ])("refuses %o", (env, message) => {
    expect(() => loadIntegrityConfig(env)).toThrow(ConfigError);
    expect(() => loadIntegrityConfig(env)).toThrow(message);
  });
});
