/**
 * sealtrail attest: attaches evidence the ledger cannot hold (an access review, a signed
 * policy) to a control (docs/packs.md, "Attested evidence"). The file's SHA-256 is recorded in
 * the tenant's audit log as an evidence.attestation entry and its bytes kept by that hash;
 * every pack of the control's framework whose period holds the entry carries the file.
 */
import { readFile, stat } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { parseArgs } from "node:util";
import { recordAttestation } from "../../packs/attest.js";
import { MAX_ATTESTATION_BYTES } from "../../packs/attestation.js";
import { loadExporters } from "../../packs/exporters.js";
import { PackError } from "../../packs/pack-error.js";
import { parseOrUsage, positionals, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";

const COMMAND = "attest";

/** sealtrail attest --tenant T --control ID --file F [--framework F] [--note TEXT] [--from ISO --to ISO] [--media-type TYPE] */
export async function attestCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage(COMMAND, () =>
    parseArgs({
      args,
      options: {
        tenant: { type: "string" }, control: { type: "string" }, file: { type: "string" }, framework: { type: "string" },
        note: { type: "string" }, from: { type: "string" }, to: { type: "string" }, "media-type": { type: "string" },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  positionals(COMMAND, parsed.positionals, []);
  const v = parsed.values;
  const tenant = required(COMMAND, "tenant", v.tenant);
  const control = required(COMMAND, "control", v.control);
  const path = required(COMMAND, "file", v.file);
  if ((v.from === undefined) !== (v.to === undefined)) throw new CliError("USAGE", `${COMMAND}: --from and --to give the period the evidence covers: give both or neither`);
  // The size is checked before the file is read: a file too large is refused without loading it.
  const size = await stat(path).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
  if (size === undefined) throw new CliError("FILE", `${COMMAND}: --file ${path}: not a readable file`);
  if (size > MAX_ATTESTATION_BYTES) throw new PackError("FILE_TOO_LARGE", `${path}: ${size} bytes, want at most ${MAX_ATTESTATION_BYTES} (16 MiB); nothing was stored`);
  const bytes = new Uint8Array(await readFile(path));
  const exporters = await loadExporters(cli.config.packExporters);
  const attested = await withDatabase(cli, "write", (store) =>
    recordAttestation(store, cli.originPrefix, exporters, {
      tenant,
      control,
      ...(v.framework !== undefined ? { framework: v.framework } : {}),
      file: { name: path, bytes, ...(v["media-type"] !== undefined ? { mediaType: v["media-type"] } : {}) },
      // The principal is the operator running the command, as for pack; free text is the note.
      by: `cli:${userInfo().username}@${hostname()}`,
      source: "sealtrail-cli",
      ...(v.note !== undefined ? { note: v.note } : {}),
      ...(v.from !== undefined && v.to !== undefined ? { period: { from: v.from, to: v.to } } : {}),
    }),
  );
  cli.stdout(json({ log: attested.log, seq: attested.seq, framework: attested.framework, control: attested.control, file: attested.file, packFile: attested.packFile }));
  return 0;
}
