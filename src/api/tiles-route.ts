/**
 * The C2SP tlog-tiles read API (https://c2sp.org/tlog-tiles), one prefix per log:
 * GET /logs/<name>/checkpoint, /logs/<name>/tile/<L>/<N>[.p/<W>] and
 * /logs/<name>/tile/entries/<N>[.p/<W>]. The checkpoint is the newest signed one with its
 * witness cosignatures; tiles are served up to its size only, so nothing unsigned is shown.
 * A public log is readable by anyone; another needs an API key of its tenant with scope
 * events:read (another tenant's log answers as one that does not exist), each request charged to
 * the key's rate as its GraphQL requests are (429 past it). Entry bundle reads
 * are recorded in the read log, as every read of audit records is (PCI DSS 10.2.1.3). Entry
 * bundles go gzip-coded to a client that accepts it ("Entry bundles SHOULD be compressed at the
 * HTTP layer"); hash tiles, random bytes that would not shrink, never are.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isStorableText } from "../core/entry/index.js";
import { hasScope } from "../core/token/index.js";
import { entryBundle, parseTilePath, TILE_WIDTH, tileWidth } from "../core/tiles/index.js";
import { bundleEntries, tileHashes, withArchive, withCosignatures } from "../ledger/index.js";
import { type Authenticate, principalOr401 } from "./bearer-auth.js";
import { acceptsGzip, gzip } from "./content-encoding.js";
import { decodeURIComponentSafe, sendJson } from "./http-io.js";
import { chargedOr429 } from "./http-rate.js";
import type { ReadRecorder } from "./read-log.js";
import { limiterFor } from "./request-limiter.js";
import type { ServerOptions } from "./server-options.js";

export const TILES_PATH = /^\/logs\/([^/]+)\/(checkpoint|tile\/.+)$/;
/** Tiles never change once served ("This endpoint is immutable, so its caching headers SHOULD be long-lived"). */
const IMMUTABLE = "max-age=31536000, immutable";
/** Full tiles never change, so the newest are kept in memory: ~64 MiB of 8 KiB hash tiles and bundles. */
const CACHE_BYTES = 64 * 1024 * 1024;

/** A least-recently-used map of full tiles by "<log id>/<path>", bounded in bytes. */
class TileCache {
  private readonly map = new Map<string, Uint8Array>();
  private bytes = 0;
  get(key: string): Uint8Array | undefined {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }
  set(key: string, value: Uint8Array): void {
    this.map.set(key, value);
    this.bytes += value.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= CACHE_BYTES) break;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }
}

export type TilesRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export function tilesRoute(options: ServerOptions, authenticate: Authenticate, recorder: ReadRecorder): TilesRoute {
  // A log's archived prefix is read from the archive: its tiles are served as before archiving (docs/operations.md).
  const store = withArchive(options.writer);
  const cache = new TileCache();
  const limiter = options.limiter ?? limiterFor(options.config);
  return async (req, res, url) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", message: `method ${req.method} not allowed: use GET` });
    }
    const [, rawName = "", resource = ""] = TILES_PATH.exec(url.pathname) ?? [];
    const name = decodeURIComponentSafe(rawName);
    // A name holding NUL or a lone surrogate names no log (PostgreSQL refuses NUL in text, and
    // would be sent U+FFFD for the surrogate): answered as a log that does not exist.
    const log = isStorableText(name) ? await store.tileLogState(name) : undefined;
    const isPublic = log?.public === true;
    let principal;
    if (!isPublic) {
      principal = await principalOr401(authenticate, req, res);
      if (!principal) return;
      if (!chargedOr429(limiter, principal, res, "tiles", `${req.method} ${url.pathname}`)) return;
      if (!hasScope(principal.scopes, "events:read")) return sendJson(res, 403, { error: "FORBIDDEN", message: "reading tiles needs scope events:read" });
    }
    if (!log || (principal && principal.tenant !== log.tenant)) return sendJson(res, 404, { error: "NOT_FOUND", message: "no such log" });
    if (log.size === null) return sendJson(res, 404, { error: "NOT_FOUND", message: "the log has no checkpoint yet" });
    const size = log.size;
    const scope = `${isPublic ? "public" : "private"}, `;
    const send = (type: string, body: Uint8Array | string, cacheControl: string, coding: Record<string, string> = {}) => {
      res.writeHead(200, { "content-type": type, "content-length": String(typeof body === "string" ? Buffer.byteLength(body) : body.length), "cache-control": scope + cacheControl, ...coding });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (resource === "checkpoint") {
      // "This endpoint is mutable, so its headers SHOULD prevent caching beyond a few seconds."
      const checkpoint = (await store.latestCheckpoint(log.id))!;
      const note = withCosignatures(checkpoint.note, await store.cosignaturesAt(log.id, checkpoint.size));
      return send("text/plain; charset=utf-8", note, "max-age=2");
    }
    const tile = parseTilePath(resource);
    // Full tiles of the signed size, and partial ones no wider than what it holds.
    const have = tile && tileWidth(tile.level, tile.index, size);
    if (!tile || !have || (tile.width === TILE_WIDTH ? have !== TILE_WIDTH : tile.width > have)) {
      return sendJson(res, 404, { error: "NOT_FOUND", message: `no tile ${resource} in the tree of size ${size}` });
    }
    const key = `${log.id}/${resource}`;
    const read = async () =>
      tile.level === "entries" ? entryBundle(await bundleEntries(store, log.id, log.origin, tile.index, tile.width)) : tileHashes(store, log.id, tile.level, tile.index, tile.width);
    let body = cache.get(key);
    if (!body) {
      body = await read();
      if (tile.width === TILE_WIDTH) cache.set(key, body);
    }
    if (tile.level !== "entries") return send("application/octet-stream", body, IMMUTABLE);
    if (principal) {
      recorder.record({
        requestId: randomUUID(), principal, at: new Date(), operation: null, fields: ["tileEntries"],
        query: `${req.method} ${url.pathname}`, variables: null, rows: tile.width, outcome: "success", transport: "http",
      });
    }
    // The response varies with Accept-Encoding either way, so shared caches keep both codings apart.
    if (!acceptsGzip(req.headers["accept-encoding"])) return send("application/octet-stream", body, IMMUTABLE, { vary: "accept-encoding" });
    let coded = cache.get(`${key}.gz`);
    if (!coded) {
      coded = await gzip(body);
      if (tile.width === TILE_WIDTH) cache.set(`${key}.gz`, coded);
    }
    send("application/octet-stream", coded, IMMUTABLE, { "content-encoding": "gzip", vary: "accept-encoding" });
  };
}
