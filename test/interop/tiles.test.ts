/**
 * Interoperability: code we did not write accepts our output. A Go program built on the Go
 * checksum database's packages (sumdb/note, sumdb/tlog) verifies our checkpoints, recomputes
 * the root from our C2SP tlog-tiles (sizes that exercise partial tiles) and every leaf from our
 * entry bundles, and checks our witness's cosignatures; our witness cosigns its checkpoints
 * and our verifier opens its notes.
 */
import { rm, writeFile, mkdtemp, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosignerVkey, parseCosignerVkey } from "../../src/core/cosign/index.js";
import { toBase64 } from "../../src/core/encoding/index.js";
import { verifierFromVkey, verifyCheckpoint, vkeyString } from "../../src/core/note/index.js";
import { checkpointTick } from "../../src/integrity/checkpoint-tick.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { createLog, findLog } from "../../src/ledger/postgres/logs.js";
import { trustedLogs } from "../../src/witness/add-checkpoint.js";
import { startWitnessServer } from "../../src/witness/witness-server.js";
import { WitnessState } from "../../src/witness/witness-state.js";
import { apiKey, startApi, type TestApi } from "../support/api.js";
import { spawn } from "node:child_process";
import { ROOT, runCli } from "../support/cli.js";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { buildGoClient, goClient } from "../support/go-client.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const SIZES = [1, 255, 256, 257, 65_537];
const key = testKey();
let ledger: TestLedger;
let api: TestApi;
let go: string;
let dir: string;
const roots = new Map<number, string>();
const vkey = (size: number) => vkeyString(`test.example/s${size}`, key.publicKey);

beforeAll(async () => {
  [ledger, go, dir] = await Promise.all([freshLedger("tiles"), buildGoClient(), mkdtemp(join(tmpdir(), "sealtrail-interop-"))]);
  api = await startApi(ledger);
  const appender = new Appender(ledger.writer);
  for (const size of SIZES) {
    const log = await createLog(ledger.writer, `s${size}`, { origin: `test.example/s${size}` });
    for (let done = 0; done < size; done += 10_000) {
      const n = Math.min(10_000, size - done);
      await appender.append(log.name, Array.from({ length: n }, (_, i) => ({ kind: "deploy", actor: `actor ${done + i}`, action: "ship", resource: `svc/${(done + i) % 97}`, payload: { i: done + i } })));
    }
    roots.set(size, toBase64((await checkpointLog(ledger.store, log.name, key.privateKey)).checkpoint.root));
    if (size !== 257) await ledger.store.setLogVisibility(log.id, true);
  }
}, 240_000);
afterAll(async () => {
  await api?.close();
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
  if (go) await unlink(go).catch(() => {});
});

describe("tiles read by an independent client (Go sumdb/tlog)", () => {
  it.each(SIZES.filter((s) => s !== 257))("size %i: the root recomputed from the tiles is the signed one, and every entry hashes to its leaf", async (size) => {
    const run = await goClient(go, ["verify-tiles", `${api.base}/logs/s${size}`, vkey(size)]);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ origin: `test.example/s${size}`, size, root: roots.get(size), entries: size });
  }, 120_000);

  it("a log that is not public needs a key of its tenant with events:read", async () => {
    const prefix = `${api.base}/logs/s257`;
    expect((await fetch(`${prefix}/checkpoint`)).status).toBe(401);
    expect((await fetch(`${prefix}/checkpoint`, { headers: { authorization: `Bearer ${await apiKey(ledger, "other")}` } })).status).toBe(404);
    expect((await fetch(`${prefix}/checkpoint`, { headers: { authorization: `Bearer ${await apiKey(ledger, "default", ["proofs:read"])}` } })).status).toBe(403);
    const token = await apiKey(ledger, "default", ["events:read"]);
    const res = await fetch(`${prefix}/tile/0/000`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect((await res.arrayBuffer()).byteLength).toBe(8192);
    const partial = await fetch(`${prefix}/tile/entries/001.p/1`, { headers: { authorization: `Bearer ${token}` } });
    const bundle = new Uint8Array(await partial.arrayBuffer());
    expect((bundle[0]! << 8) | bundle[1]!).toBe(bundle.length - 2);
    expect(JSON.parse(new TextDecoder().decode(bundle.subarray(2)))).toMatchObject({ seq: 256, log: "test.example/s257", v: 1 });
  });

  it("serves exactly the C2SP paths of the signed size: partial widths, full tiles, headers", async () => {
    const prefix = `${api.base}/logs/s65537`;
    const checkpoint = await fetch(`${prefix}/checkpoint`);
    expect(checkpoint.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(checkpoint.headers.get("cache-control")).toBe("public, max-age=2");
    const status = async (path: string) => (await fetch(`${prefix}/${path}`)).status;
    // 65,537 = 256 full level 0 tiles + 1; level 1: one full tile; level 2: a partial of width 1.
    expect(await status("tile/0/255")).toBe(200);
    expect(await status("tile/0/256.p/1")).toBe(200);
    expect(await status("tile/0/256")).toBe(404);
    expect(await status("tile/0/256.p/2")).toBe(404);
    expect(await status("tile/1/000")).toBe(200);
    expect(await status("tile/2/000.p/1")).toBe(200);
    expect(await status("tile/1/001.p/1")).toBe(404);
    expect(await status("tile/0/x000/255")).toBe(404);
    expect(await status("tile/0/255.p/256")).toBe(404);
    expect(await status("tile/entries/256.p/1")).toBe(200);
    expect((await fetch(`${api.base}/logs/nope/checkpoint`)).status).toBe(401);
  });
});

describe("static tiles and publishing", () => {
  const env = () => ({ DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema });

  it("tiles export writes files a plain static server serves and the Go client verifies", async () => {
    const out = join(dir, "export");
    const run = await runCli(["tiles", "export", "--log", "s257", "--out", out], env());
    expect(run.stderr).toBe("");
    // 257 = one full level 0 tile and bundle, one partial of each (width 1), a level 1 partial; and the checkpoint.
    expect(JSON.parse(run.stdout)).toEqual({ log: "s257", size: 257, files: 6, out });
    const files = createServer((req, res) => {
      readFile(join(out, decodeURIComponent(new URL(req.url!, "http://x").pathname)))
        .then((data) => res.writeHead(200).end(data), () => res.writeHead(404).end());
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    try {
      const verified = await goClient(go, ["verify-tiles", `http://127.0.0.1:${(files.address() as AddressInfo).port}`, vkey(257)]);
      expect(verified.stderr).toBe("");
      expect(JSON.parse(verified.stdout)).toMatchObject({ size: 257, root: roots.get(257), entries: 257 });
    } finally {
      await new Promise((resolve) => files.close(resolve));
    }
  });

  it("log publish --private withdraws a public log's tiles from anonymous readers", async () => {
    expect((await fetch(`${api.base}/logs/s1/checkpoint`)).status).toBe(200);
    const run = await runCli(["log", "publish", "s1", "--private"], env());
    expect(JSON.parse(run.stdout)).toEqual({ name: "s1", public: false });
    expect((await fetch(`${api.base}/logs/s1/checkpoint`)).status).toBe(401);
    await runCli(["log", "publish", "s1"], env());
    expect((await fetch(`${api.base}/logs/s1/checkpoint`)).status).toBe(200);
  });
});

describe("witnessing with independent code", () => {
  it("the Go client checks our witness's cosignature on a checkpoint served with the tiles", async () => {
    const wKey = testKey();
    const w = await startWitnessServer({ name: "witness.test/go", privateKey: wKey.privateKey, logs: trustedLogs([vkey(256)]), state: new WitnessState(join(dir, "w1")) });
    try {
      const cosigner = cosignerVkey("witness.test/go", wKey.publicKey);
      const tick = await checkpointTick({
        store: ledger.store, key: key.privateKey, policy: { every: 1, intervalMs: 1 }, witness: undefined, originPrefix: "test.example",
        alerts: { raise: async () => {} }, cosigners: [{ url: w.url, cosigner: parseCosignerVkey(cosigner) }],
      });
      expect(tick.cosigned).toContainEqual({ log: "s256", witnesses: ["witness.test/go"] });
      const run = await goClient(go, ["verify-tiles", `${api.base}/logs/s256`, vkey(256), cosigner]);
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout).cosignedAt).toBeGreaterThan(1_700_000_000);
      const stranger = cosignerVkey("witness.test/go", testKey().publicKey);
      expect(JSON.parse((await goClient(go, ["verify-tiles", `${api.base}/logs/s256`, vkey(256), stranger])).stdout).cosignedAt).toBe(-1);
    } finally {
      await w.close();
    }
  });

  it("`sealtrail witness serve` cosigns checkpoints made and signed by Go, refuses its rollback, and our verifier opens Go's notes", async () => {
    const [skey, goVkey] = (await goClient(go, ["genkey", "go.example/log"])).stdout.trim().split("\n") as [string, string];
    const note = (await goClient(go, ["sign", skey, "go.example/log", "1000"])).stdout;
    expect(Number(verifyCheckpoint(note, verifierFromVkey(goVkey)).size)).toBe(1000);
    const wKey = testKey();
    await writeFile(join(dir, "witness.pem"), wKey.pem, { mode: 0o600 });
    const witness = spawn(process.execPath, [join(ROOT, "bin", "sealtrail.js"), "witness", "serve", "--name", "witness.test/cli", "--key", join(dir, "witness.pem"), "--log", goVkey, "--state", join(dir, "w2"), "--port", "0"], { stdio: ["ignore", "pipe", "inherit"], env: { PATH: process.env.PATH } });
    try {
      // It prints its cosigner vkey, then the URL it listens on.
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        witness.stdout!.on("data", (chunk: Buffer) => {
          out += chunk.toString("utf8");
          const m = /witness listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        witness.once("exit", (code) => reject(new Error(`witness serve exited with ${code}: ${out}`)));
      });
      const cosigner = cosignerVkey("witness.test/cli", wKey.publicKey);
      const run = await goClient(go, ["witness-submit", skey, "go.example/log", url, cosigner, "700", "1000"]);
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout)).toEqual({ first: 200, firstCosigned: true, second: 200, secondCosigned: true, rollback: 409, rollbackBody: "1000\n" });
    } finally {
      const exited = new Promise((resolve) => witness.once("exit", resolve));
      witness.kill("SIGTERM");
      await exited;
    }
  });
});
