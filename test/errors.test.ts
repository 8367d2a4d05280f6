/**
 * Every boundary's error type is a SealtrailError: its own name (logs and stderr print it),
 * the code it was made with, and the cause underneath.
 */
import { describe, expect, it } from "vitest";
import { CliError, EXIT_ERROR } from "../src/cli/cli-error.js";
import { ConfigError } from "../src/config/index.js";
import { CoreError, SealtrailError } from "../src/core/errors.js";
import { IngestError } from "../src/ingest/ingest-error.js";
import { WebhookError } from "../src/ingest/webhooks/webhook-error.js";
import { AlertDeliveryError } from "../src/integrity/alert-delivery.js";
import { VerifyError } from "../src/integrity/verify-error.js";
import { WitnessError } from "../src/integrity/witness.js";
import { LedgerError } from "../src/ledger/errors.js";
import { PackError } from "../src/packs/pack-error.js";
import { TmuxError } from "../src/tmux/tmux-error.js";
import { CosigningError } from "../src/witness/witness-error.js";
import { TimeStampError } from "../src/integrity/time-stamp-checkpoint.js";

describe("error types", () => {
  const cause = new Error("underneath");
  const made: [string, SealtrailError<string>][] = [
    ["CoreError", new CoreError("PROOF_MISMATCH", "m", { cause })],
    ["LedgerError", new LedgerError("INCONSISTENT", "m", { cause })],
    ["PackError", new PackError("NO_CHECKPOINT", "m", { cause })],
    ["TmuxError", new TmuxError("SPOOL", "m", { cause })],
    ["VerifyError", new VerifyError("NO_VERIFIER_KEY", "m", { cause })],
    ["WitnessError", new WitnessError("CONFLICT", "m", { cause })],
    ["AlertDeliveryError", new AlertDeliveryError("UNREACHABLE", "m", { cause })],
    ["IngestError", new IngestError("TIMEOUT", "m", { cause })],
    ["WebhookError", new WebhookError("SIGNATURE_INVALID", "m", { cause })],
    ["ConfigError", new ConfigError("ENV_INVALID", "m", { cause })],
    ["CliError", new CliError("USAGE", "m", { cause })],
    ["CosigningError", new CosigningError("CONFLICT", "m", { cause })],
    ["TimeStampError", new TimeStampError("BAD_RESPONSE", "m", { cause })],
  ];

  it.each(made)("%s carries its name, code, message and cause", (name, error) => {
    expect(error).toBeInstanceOf(SealtrailError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.message).toBe("m");
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe(`${name}: m`);
  });

  it("keep what their own types add", () => {
    expect(new CliError("USAGE", "m").exitCode).toBe(EXIT_ERROR);
    expect(new CliError("USAGE", "m", { exitCode: 3 }).exitCode).toBe(3);
    expect(new IngestError("JOB_INVALID", "m").permanent).toBe(true);
    expect(new IngestError("DATABASE", "m").permanent).toBe(false);
    expect(new WebhookError("QUEUE_UNAVAILABLE", "m").status).toBe(503);
  });
});
