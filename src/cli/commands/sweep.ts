import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import type { Alert, Finding } from "../../core/sweep/index.js";
import { openAlertQueueForCommand, QueueAlertSink } from "../../integrity/alert-queue.js";
import type { AlertSink } from "../../integrity/alert-sink.js";
import { sweepLog, sweepWitnessPolicy } from "../../integrity/sweep-log.js";
import { DirectoryWitness } from "../../integrity/witness-directory.js";
import { parseCount, parseOrUsage, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";
import { trustedPublicKey } from "../trusted-key.js";
import { EXIT_TAMPERED, EXIT_WITNESS_QUORUM } from "./verify.js";

/**
 * sealtrail sweep --log NAME [--full] [--key VKEY|FILE] [--json] [--threads N]: one sweep of
 * one log now, as the scheduled ones do: against the witness copies, recorded in the
 * tenant's audit log, alerting the webhooks on failure. Incremental unless --full (or unless
 * the last sweep did not verify). With SEALTRAIL_WITNESSES, the newest checkpoint must carry a
 * quorum of valid cosignatures. Exit status as verify's (3: verified, the witness quorum not met).
 */
export async function sweepCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("sweep", () =>
    parseArgs({
      args,
      options: { log: { type: "string" }, full: { type: "boolean", default: false }, key: { type: "string" }, json: { type: "boolean", default: false }, threads: { type: "string" } },
      strict: true,
    }),
  );
  const name = required("sweep", "log", values.log);
  const threads = values.threads === undefined ? undefined : parseCount("sweep", "threads", values.threads);
  const integrity = cli.config.integrity;
  const publicKey = await trustedPublicKey(cli, values.key);
  if (!publicKey) throw new CliError("NO_VERIFIER_KEY", "sweep: no trusted key: give --key VKEY|FILE, SEALTRAIL_VERIFIER_KEY or SEALTRAIL_SIGNING_KEY");

  const queue = integrity.alertWebhooks.length > 0 ? openAlertQueueForCommand(cli.config.redisUrl, integrity.alertQueue) : undefined;
  const alerts: AlertSink = {
    async raise(alert: Alert) {
      if (!queue) return;
      try {
        await new QueueAlertSink(queue, integrity.alertWebhooks).raise(alert);
      } catch (error) {
        // The exit status and the ledger entry still tell; say why the webhooks will not.
        process.stderr.write(`sealtrail: sweep: alert ${alert.id} could not be queued: ${(error as Error).message}\n`);
      }
    },
  };
  try {
    const outcome = await withDatabase(cli, "write", (store) =>
      sweepLog(
        {
          store, url: cli.config.databaseUrl, schema: cli.config.schema, publicKey, originPrefix: cli.originPrefix, alerts,
          witness: integrity.witnessDir ? new DirectoryWitness(integrity.witnessDir) : undefined,
          witnessPolicy: sweepWitnessPolicy(integrity.witnesses, integrity.witnessQuorum),
          ...(threads !== undefined ? { threads } : {}),
        },
        name,
        { id: `cli-${randomUUID()}`, mode: values.full ? "full" : "incremental", at: new Date() },
      ),
    );
    const { record, report } = outcome;
    if (values.json) {
      cli.stdout(json({ ...record, log: outcome.log, findings: report?.findings ?? [], entriesChecked: report?.entriesChecked ?? null, alert: outcome.alert?.id ?? null }));
    } else if (record.result === "verified") {
      cli.stdout(`verified ${outcome.log} (${record.mode} sweep): tree size ${record.toSize}, recomputed from seq ${record.fromSeq}, ${record.durationMs} ms\n`);
      if (record.witnesses?.met) cli.stdout(`witnessed: checkpoint at size ${record.witnesses.size} cosigned by ${record.witnesses.cosigned.join(", ")} (quorum ${record.witnesses.quorum})\n`);
      else if (record.witnesses) cli.stdout(`WITNESS QUORUM NOT MET: ${record.message}\n`);
    } else {
      const [first, ...rest] = report!.findings;
      cli.stdout(`TAMPERED ${describe(first!)}\n${rest.map((f) => `  ${describe(f)}\n`).join("")}`);
    }
    if (record.result !== "verified") return EXIT_TAMPERED;
    return record.witnesses && !record.witnesses.met ? EXIT_WITNESS_QUORUM : 0;
  } finally {
    await queue?.close();
  }
}

function describe(f: Finding): string {
  return f.seq === null ? `${f.class}: ${f.message}` : `${f.class} at seq ${f.seq}: ${f.message}`;
}
