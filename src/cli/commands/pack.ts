import { hostname, userInfo } from "node:os";
import { parseArgs } from "node:util";
import { loadSigningKey } from "../../ledger/index.js";
import { buildPack } from "../../packs/build-pack.js";
import { findExporter, loadExporters } from "../../packs/exporters.js";
import { DEFAULT_APPROVAL_TAGS, DEFAULT_FAILED_LOGIN_THRESHOLD } from "../../packs/request.js";
import { SHA256SUMS_FILE } from "../../core/pack/index.js";
import { writeTarGz } from "../../packs/tar-gz.js";
import { packageVersion } from "../../version.js";
import { parseChoice, parseCount, parseOrUsage, required } from "../args.js";
import { packTimeStamp } from "../../processes/run-evidence-worker.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";
import { progressBar } from "../progress-bar.js";

const COMMAND = "pack";

/**
 * sealtrail pack --framework F --log NAME [--log NAME]... --from ISO --to ISO --out DIR [options]: builds a
 * signed evidence pack. The pack is signed with SEALTRAIL_PACK_KEY (default
 * SEALTRAIL_SIGNING_KEY); a checkpoint covering the period is signed with SEALTRAIL_SIGNING_KEY
 * when none is stored yet. Prints the pack id and its files as JSON.
 */
export async function packCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({
      args,
      options: {
        framework: { type: "string" },
        log: { type: "string", multiple: true },
        from: { type: "string" },
        to: { type: "string" },
        out: { type: "string" },
        org: { type: "string" },
        scope: { type: "string" },
        "requested-by": { type: "string" },
        note: { type: "string" },
        recipient: { type: "string" },
        "requested-at": { type: "string" },
        seed: { type: "string" },
        "sample-size": { type: "string" },
        "failed-login-threshold": { type: "string" },
        "approval-tag": { type: "string", multiple: true },
        archive: { type: "string" },
        progress: { type: "boolean", default: false },
      },
      strict: true,
    }),
  );
  const framework = required(COMMAND, "framework", values.framework);
  // Repeatable: one section per log, all of one tenant.
  const logNames = values.log ?? [required(COMMAND, "log", undefined)];
  const from = required(COMMAND, "from", values.from);
  const to = required(COMMAND, "to", values.to);
  const out = required(COMMAND, "out", values.out);
  const archive = values.archive === undefined ? undefined : parseChoice(COMMAND, "archive", values.archive, ["tar.gz"] as const);
  const sampleSize = values["sample-size"] === undefined ? undefined : parseCount(COMMAND, "sample-size", values["sample-size"]);
  const threshold = values["failed-login-threshold"] === undefined ? DEFAULT_FAILED_LOGIN_THRESHOLD : parseCount(COMMAND, "failed-login-threshold", values["failed-login-threshold"]);
  const exporter = findExporter(await loadExporters(cli.config.packExporters), framework);
  if (!cli.config.packKeyPath) throw new CliError("NO_PACK_KEY", "pack: no key to sign the pack: set SEALTRAIL_PACK_KEY or SEALTRAIL_SIGNING_KEY to a PKCS8 PEM file (sealtrail keys generate)");
  const packKey = await loadSigningKey(cli.config.packKeyPath);
  const checkpointKey = cli.config.signingKeyPath ? await loadSigningKey(cli.config.signingKeyPath) : undefined;
  const bar = progressBar(process.stderr, values.progress);

  const built = await withDatabase(cli, "write", async (store) => {
    const logs = [];
    for (const name of logNames) logs.push(await store.findLog(name));
    // The defaults name the tenant of the first log asked for; buildPack refuses logs of several tenants.
    const tenant = logs[0]!.tenant;
    try {
      return await buildPack({
        store,
        exporter,
        out,
        packKey,
        ...(checkpointKey ? { checkpointKey } : {}),
        ...packTimeStamp(cli.config.integrity.tsaUrl),
        generator: { name: "sealtrail", version: packageVersion() },
        originPrefix: cli.originPrefix,
        builtBy: `${userInfo().username}@sealtrail-cli`,
        onProgress: (p) => bar.update(p.phase, p.done, p.total),
        request: {
          framework: exporter.id,
          logs: logNames,
          from,
          to,
          // The requester is the operator running the command, not what a flag says (issue 19, item 11); free text is a note.
          requestedBy: `cli:${userInfo().username}@${hostname()}`,
          ...custodyFields(values.note ?? values["requested-by"], values.recipient),
          requestedAt: values["requested-at"] ?? new Date().toISOString(),
          organisation: values.org ?? tenant,
          scope: values.scope ?? `${logs.length === 1 ? "log" : "logs"} ${[...logs].sort((a, b) => (a.name < b.name ? -1 : 1)).map((l) => `${l.name} (${l.origin})`).join(", ")} of tenant ${tenant}`,
          ...(values.seed !== undefined ? { seed: values.seed } : {}),
          ...(sampleSize !== undefined ? { sampleSize } : {}),
          failedLoginThreshold: threshold,
          approvalTags: values["approval-tag"] ?? [...DEFAULT_APPROVAL_TAGS],
        },
      });
    } finally {
      bar.finish();
    }
  });
  let archivePath: string | undefined;
  if (archive) {
    archivePath = `${out}.tar.gz`;
    const files = [...built.sha256sums.trimEnd().split("\n").map((l) => l.slice(66)), SHA256SUMS_FILE, "SHA256SUMS.sig", "signing-key.pem"];
    await writeTarGz(out, files, archivePath, Math.floor(Date.parse(built.model.request.requestedAt) / 1000));
  }
  const counts: Record<string, number> = { satisfied: 0, exceptions: 0, attested: 0, "not tested": 0 };
  for (const c of built.model.controls) counts[c.result] = (counts[c.result] ?? 0) + 1;
  cli.stdout(json({
    packId: built.packId,
    dir: built.dir,
    ...(archivePath ? { archive: archivePath } : {}),
    framework: exporter.id,
    logs: built.model.request.logs,
    entries: built.model.totals.entries,
    controls: counts,
    exceptions: built.model.exceptions.length,
    recordSeq: built.recordSeq,
  }));
  return 0;
}

/** The request's note (free text) and recipient, when given. */
function custodyFields(note: string | undefined, recipient: string | undefined): { note?: string; recipient?: string } {
  return { ...(note !== undefined ? { note } : {}), ...(recipient !== undefined ? { recipient } : {}) };
}
