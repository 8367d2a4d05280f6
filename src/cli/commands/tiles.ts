import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { entryBundle, tilePath, tilesOf } from "../../core/tiles/index.js";
import { bundleEntries, tileHashes, withCosignatures } from "../../ledger/index.js";
import { parseOrUsage, positionals, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";

/**
 * sealtrail tiles export --log NAME --out DIR: the log's C2SP tlog-tiles as static files, for
 * the newest checkpoint: DIR/checkpoint (with its cosignatures), DIR/tile/<L>/<N>[.p/<W>] and
 * DIR/tile/entries/<N>[.p/<W>], the paths a tiles client fetches, so any static file server
 * (or a client reading files) serves an auditor the whole verifiable log.
 */
export async function tilesExportCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("tiles export", () => parseArgs({ args, options: { log: { type: "string" }, out: { type: "string" } }, strict: true }));
  const name = required("tiles export", "log", values.log);
  const out = required("tiles export", "out", values.out);
  const written = await withDatabase(cli, "read", async (store) => {
    const log = await store.findLog(name);
    const checkpoint = await store.latestCheckpoint(log.id);
    if (!checkpoint) throw new CliError("USAGE", `tiles export: log ${name} has no checkpoint yet (sealtrail checkpoint --log ${name})`);
    const put = async (path: string, data: Uint8Array | string) => {
      const file = join(out, path);
      try {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, data);
      } catch (error) {
        throw new CliError("FILE", `tiles export: ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`, { cause: error });
      }
    };
    let files = 0;
    for (const tile of tilesOf(checkpoint.size)) {
      await put(tilePath(tile), await tileHashes(store, log.id, tile.level as number, tile.index, tile.width));
      if (tile.level === 0) await put(tilePath({ ...tile, level: "entries" }), entryBundle(await bundleEntries(store, log.id, log.origin, tile.index, tile.width)));
      files += tile.level === 0 ? 2 : 1;
    }
    // Written last: a reader never finds a checkpoint whose tiles are not all there yet.
    await put("checkpoint", withCosignatures(checkpoint.note, await store.cosignaturesAt(log.id, checkpoint.size)));
    return { log: name, size: checkpoint.size, files: files + 1, out };
  });
  cli.stdout(json(written));
  return 0;
}

/** sealtrail log publish NAME [--private]: its tiles readable without an API key (or no longer). */
export async function logPublishCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage("log publish", () => parseArgs({ args, options: { private: { type: "boolean", default: false } }, strict: true, allowPositionals: true }));
  const [name] = positionals("log publish", parsed.positionals, ["NAME"]) as [string];
  await withDatabase(cli, "write", async (store) => store.setLogVisibility((await store.findLog(name)).id, !parsed.values.private));
  cli.stdout(json({ name, public: !parsed.values.private }));
  return 0;
}
