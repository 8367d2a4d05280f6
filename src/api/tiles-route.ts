/**
 * The C2SP tlog-tiles read API (https://c2sp.org/tlog-tiles), one prefix per log:
 * GET /logs/<name>/checkpoint, /logs/<name>/tile/<L>/<N>[.p/<W>] and
 * /logs/<name>/tile/entries/<N>[.p/<W>]. The checkpoint is the newest signed one with its
 * witness cosignatures; tiles are served up to its size only, so nothing unsigned is shown.
 * A public log is readable by anyone; another needs an API key of its tenant with scope
 * events:read (another tenant's log answers as one that does not exist). Entry bundle reads
 * are recorded in the read log, as every read of audit records is (PCI DSS 10.2.1.3).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { hasScope } from "../core/token/index.js";
import { entryBundle, parseTilePath, TILE_WIDTH, tileWidth } from "../core/tiles/index.js";
import { withCosignatures } from "../ledger/cosignatures.js";
import { LedgerError } from "../ledger/errors.js";
import type { Log } from "../ledger/store.js";
import { bundleEntries, tileHashes } from "../ledger/tiles.js";
import { ApiError } from "./api-error.js";
import type { Authenticate } from "./bearer-auth.js";
import { decodeURIComponentSafe, sendJson } from "./http-io.js";
import type { ReadRecorder } from "./read-log.js";
import type { ServerOptions } from "./server-options.js";

export const TILES_PATH = /^\/logs\/([^/]+)\/(checkpoint|tile\/.+)$/;
/** Tiles never change once served ("This endpoint is immutable, so its caching headers SHOULD be long-lived"). */
const IMMUTABLE = "max-age=31536000, immutable";

export type TilesRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export function tilesRoute(options: ServerOptions, authenticate: Authenticate, recorder: ReadRecorder): TilesRoute {
  const store = options.writer;
  return async (req, res, url) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", message: `method ${req.method} not allowed: use GET` });
    }
    const [, rawName = "", resource = ""] = TILES_PATH.exec(url.pathname) ?? [];
    const log = await store.findLog(decodeURIComponentSafe(rawName)).catch((error: unknown): Log | undefined => {
      if (error instanceof LedgerError && error.code === "LOG_NOT_FOUND") return undefined;
      throw error;
    });
    const isPublic = log !== undefined && (await store.isPublicLog(log.id));
    let principal;
    if (!isPublic) {
      try {
        principal = await authenticate(req.headers.authorization);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        res.setHeader("www-authenticate", 'Bearer realm="sealtrail"');
        return sendJson(res, 401, { error: error.code, message: error.message });
      }
      if (!hasScope(principal.scopes, "events:read")) return sendJson(res, 403, { error: "FORBIDDEN", message: "reading tiles needs scope events:read" });
    }
    if (!log || (principal && principal.tenant !== log.tenant)) return sendJson(res, 404, { error: "NOT_FOUND", message: "no such log" });
    const checkpoint = await store.latestCheckpoint(log.id);
    if (!checkpoint) return sendJson(res, 404, { error: "NOT_FOUND", message: "the log has no checkpoint yet" });
    const cache = `${isPublic ? "public" : "private"}, `;
    const send = (type: string, body: Uint8Array | string, cacheControl: string) => {
      res.writeHead(200, { "content-type": type, "content-length": String(typeof body === "string" ? Buffer.byteLength(body) : body.length), "cache-control": cache + cacheControl });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (resource === "checkpoint") {
      // "This endpoint is mutable, so its headers SHOULD prevent caching beyond a few seconds."
      const note = withCosignatures(checkpoint.note, await store.cosignaturesAt(log.id, checkpoint.size));
      return send("text/plain; charset=utf-8", note, "max-age=2");
    }
    const tile = parseTilePath(resource);
    // Full tiles of the signed size, and partial ones no wider than what it holds.
    const have = tile && tileWidth(tile.level, tile.index, checkpoint.size);
    if (!tile || !have || (tile.width === TILE_WIDTH ? have !== TILE_WIDTH : tile.width > have)) {
      return sendJson(res, 404, { error: "NOT_FOUND", message: `no tile ${resource} in the tree of size ${checkpoint.size}` });
    }
    if (tile.level !== "entries") return send("application/octet-stream", await tileHashes(store, log.id, tile.level, tile.index, tile.width), IMMUTABLE);
    const bundle = entryBundle(await bundleEntries(store, log.id, log.origin, tile.index, tile.width));
    if (principal) {
      recorder.record({
        requestId: randomUUID(), principal, at: new Date(), operation: null, fields: ["tileEntries"],
        query: `${req.method} ${url.pathname}`, variables: null, rows: tile.width, outcome: "success", transport: "http",
      });
    }
    send("application/octet-stream", bundle, IMMUTABLE);
  };
}
