import { parseArgs } from "node:util";
import { toHex } from "../../core/hash.js";
import type { EventInput } from "../../core/event.js";
import { Appender } from "../../ledger/appender.js";
import { parseChoice, parseOrUsage, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";

const COMMAND = "emit";

/**
 * sealtrail emit --log NAME --kind K --actor A --action X --resource R [--outcome success|failure]
 *   [--source S] [--tag T]... [--occurred-at ISO] [--payload JSON|-] [--idempotency-key K]
 *
 * Appends directly through the Appender, as sealtrail_writer. The core validates the event;
 * only what the command line itself carries (choices, JSON text) is checked here.
 */
export async function emitCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({
      args,
      options: {
        log: { type: "string" },
        kind: { type: "string" },
        actor: { type: "string" },
        action: { type: "string" },
        resource: { type: "string" },
        outcome: { type: "string" },
        source: { type: "string" },
        tag: { type: "string", multiple: true },
        "occurred-at": { type: "string" },
        payload: { type: "string" },
        "idempotency-key": { type: "string" },
      },
      strict: true,
    }),
  );
  const log = required(COMMAND, "log", values.log);
  const event: EventInput = {
    kind: required(COMMAND, "kind", values.kind),
    actor: required(COMMAND, "actor", values.actor),
    action: required(COMMAND, "action", values.action),
    resource: required(COMMAND, "resource", values.resource),
    outcome: parseChoice(COMMAND, "outcome", values.outcome ?? "success", ["success", "failure"]),
    tags: values.tag ?? [],
  };
  if (values.source !== undefined) event.source = values.source;
  if (values["occurred-at"] !== undefined) event.occurredAt = values["occurred-at"];
  if (values["idempotency-key"] !== undefined) event.idempotencyKey = values["idempotency-key"];
  if (values.payload !== undefined) event.payload = parsePayload(values.payload === "-" ? await cli.readStdin() : values.payload, values.payload === "-");

  const [receipt] = await withDatabase(cli, "write", (sql) =>
    new Appender(sql, { maxPayloadBytes: cli.config.maxPayloadBytes }).append(log, [event]),
  );
  cli.stdout(json({ log, seq: receipt!.seq, leafHash: toHex(receipt!.leafHash), idempotencyKey: receipt!.idempotencyKey, duplicate: receipt!.duplicate }));
  return 0;
}

function parsePayload(text: string, fromStdin: boolean): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError("USAGE", `${COMMAND}: --payload${fromStdin ? " (stdin)" : ""} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
