/**
 * C2SP tlog-tiles: "Entry bundles SHOULD be compressed at the HTTP layer. Logs MAY use
 * Content-Encoding: gzip with no negotiation, or any compression algorithm requested by the
 * client with Accept-Encoding." Entry bundles go gzip-coded to a client that accepts gzip, as
 * they are to one that does not, with Vary: Accept-Encoding; hash tiles go as they are.
 */
import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptsGzip } from "../../src/api/content-encoding.js";
import { checkpointLog } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { startApi, type TestApi } from "../support/api.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;

/** A GET (or HEAD) with exactly the headers given: fetch would add its own Accept-Encoding and decode. */
function get(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  ledger = await freshLedger("tilesgzip");
  api = await startApi(ledger);
  const log = await createLog(ledger.writer, "zipped", { origin: "test.example/zipped" });
  await new Appender(ledger.writer).append("zipped", Array.from({ length: 300 }, (_, i) => ({ kind: "deploy", actor: `actor ${i}`, action: "ship", resource: `svc/${i % 7}`, payload: { i } })));
  await checkpointLog(ledger.store, "zipped", testKey().privateKey);
  await ledger.store.setLogVisibility(log.id, true);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

describe("Accept-Encoding", () => {
  it.each([
    [undefined, false], ["", false], ["identity", false], ["gzip", true], ["GZIP", true], ["x-gzip", true], ["deflate, gzip;q=0.5", true],
    ["gzip;q=0", false], ["gzip;q=0.000", false], ["*", true], ["*;q=0", false], ["*, gzip;q=0", false], ["br, *;q=0.1", true], [["br", "gzip"], true],
  ] as const)("%j accepts gzip: %s", (header, expected) => {
    expect(acceptsGzip(header as string | string[] | undefined)).toBe(expected);
  });
});

describe("tiles and content coding", () => {
  it.each(["tile/entries/000", "tile/entries/001.p/44"])("%s: gzip-coded when accepted, the same bytes once decoded; identity otherwise", async (path) => {
    const plain = await get(`/logs/zipped/${path}`);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers.vary).toBe("accept-encoding");
    expect((plain.body[0]! << 8) | plain.body[1]!).toBeGreaterThan(0);

    for (let i = 0; i < 2; i++) {
      // Twice: the second full bundle comes from the cache of coded bundles.
      const zipped = await get(`/logs/zipped/${path}`, { "accept-encoding": "gzip, identity" });
      expect(zipped.status).toBe(200);
      expect(zipped.headers["content-encoding"]).toBe("gzip");
      expect(zipped.headers.vary).toBe("accept-encoding");
      expect(zipped.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(Number(zipped.headers["content-length"])).toBe(zipped.body.length);
      expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    }

    const refused = await get(`/logs/zipped/${path}`, { "accept-encoding": "gzip;q=0, identity" });
    expect(refused.headers["content-encoding"]).toBeUndefined();
    expect(refused.body.equals(plain.body)).toBe(true);

    const head = await get(`/logs/zipped/${path}`, { "accept-encoding": "gzip" }, "HEAD");
    expect(head.headers["content-encoding"]).toBe("gzip");
    expect(head.body.length).toBe(0);
  });

  it("hash tiles go as they are, whatever the client accepts", async () => {
    const tile = await get("/logs/zipped/tile/0/000", { "accept-encoding": "gzip" });
    expect(tile.status).toBe(200);
    expect(tile.headers["content-encoding"]).toBeUndefined();
    expect(tile.body.length).toBe(8192);
  });
});
