/**
 * Verified reads of archived entries (docs/security.md, "Verified reads"; docs/operations.md,
 * "Retention and the archive"): an entry a retention run moved to the archive is served by
 * `event(log, seq)` and by a search only once re-hashed and checked against the signed tree,
 * as a hot entry is. Whoever can write the archive's files can edit an entry's rows-file line
 * as an insider with the database can edit a row: a payload edited beside its old hash, a
 * line whose hashes are recomputed to agree with it, and the level 0 tile made to agree with
 * that line too are each answered LEDGER_INCONSISTENT, never the forged data.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalize, sha256 } from "../../src/core/encoding/index.js";
import { entryLeafHash } from "../../src/core/entry/index.js";
import { parseEntryLine } from "../../src/core/pack/index.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { appendSigned, archiveLater } from "../support/archive.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

const key = testKey();
let ledger: TestLedger;
let dir: string;
let api: TestApi;
let token: string;
const archivedTo = new Map<string, number>();

const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => ({ kind: "wire", actor: "alice", action: "pay", resource: `acct/${from + k}`, payload: { amount: from + k, memo: `payment ${from + k}` } }));

/** A log of 70 entries under two signed checkpoints (40 and 70), its first 40 archived. */
async function archivedLog(name: string): Promise<void> {
  await ledger.store.createLog(name, { tenant: "acme", origin: `test.example/${name}`, leafVersion: 1 });
  await appendSigned(ledger, key, name, batch);
  const outcome = await archiveLater(ledger, key, dir, name);
  archivedTo.set(name, outcome.record.archived!.to);
}

/** Rewrites line `seq` of the log's first rows file (canonical JSON, as the writer makes it) with `edit`. */
async function forgeRow(name: string, seq: number, edit: (line: Record<string, unknown>) => void): Promise<void> {
  const file = join(dir, "archive", name, "rows", "000.p", String(archivedTo.get(name)));
  const lines = (await readFile(file, "utf8")).split("\n");
  const line = JSON.parse(lines[seq]!) as Record<string, unknown>;
  edit(line);
  lines[seq] = canonicalize(line);
  await writeFile(file, lines.join("\n"));
}

/** The leaf hash an attacker computes for a forged line, as the appender would. */
function recomputed(line: Record<string, unknown>): string {
  const e = parseEntryLine(canonicalize({ ...line, leaf_hash: "00".repeat(32), payload_hash: "00".repeat(32) }), 1);
  return Buffer.from(entryLeafHash({ ...e, payloadHash: sha256(e.payload!) })).toString("hex");
}

beforeAll(async () => {
  [ledger, dir] = await Promise.all([freshLedger("verifiedarchived"), mkdtemp(join(tmpdir(), "sealtrail-verifiedarch-"))]);
  for (const name of ["good", "payload", "rehashed", "tile"]) await archivedLog(name);
  api = await startApi(ledger, {}, {}, { verifierPublicKey: key.publicKey });
  token = await apiKey(ledger, "acme");
}, 180_000);
afterAll(async () => {
  await api?.close();
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

const ONE = `query($log: String!, $seq: BigInt!) { event(log: $log, seq: $seq) { seq payload leafHash } }`;
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

describe("an archived entry with verified reads on", () => {
  it("is served when untouched, below and at the archive's edge", async () => {
    expect(archivedTo.get("good")).toBe(40);
    for (const seq of [0, 5, 39, 40]) {
      const r = await gql(api, token, ONE, { log: "good", seq });
      expect(r.errors, r.body).toBeUndefined();
      expect(r.data.event).toMatchObject({ seq, payload: { amount: seq, memo: `payment ${seq}` } });
    }
    const found = await gql(api, token, `{ events(filter: { logs: ["good"], text: "payment" }, first: 100) { edges { node { seq } } notSearched { from } } }`);
    expect(found.errors, found.body).toBeUndefined();
    expect(found.data.events.edges.map((e: { node: { seq: number } }) => e.node.seq)).toEqual(Array.from({ length: 75 }, (_, i) => i));
    // Its inclusion proof too: checked before it is handed out, against the signed checkpoint.
    const proof = await gql(api, token, `{ event(log: "good", seq: 5) { inclusionProof { treeSize checkpoint { size } } } }`);
    expect(proof.errors, proof.body).toBeUndefined();
    expect(proof.data.event.inclusionProof).toEqual({ treeSize: 70, checkpoint: { size: 70 } });
  });

  it("serves the log's tiles across the archived prefix, as the archive holds them", async () => {
    const get = (path: string) => fetch(`${api.base}/logs/good/${path}`, { headers: { authorization: `Bearer ${token}` } });
    const tile = await get("tile/0/000.p/70");
    expect(tile.status, await tile.clone().text()).toBe(200);
    const archived = await readFile(join(dir, "archive", "good", "tile", "0", "000.p", "40"));
    expect(Buffer.from(await tile.arrayBuffer()).subarray(0, 40 * 32)).toEqual(archived);
    const bundle = await get("tile/entries/000.p/70");
    expect(bundle.status).toBe(200);
    const archivedBundle = await readFile(join(dir, "archive", "good", "tile", "entries", "000.p", "40"));
    expect(Buffer.from(await bundle.arrayBuffer()).subarray(0, archivedBundle.length)).toEqual(archivedBundle);
  });

  it("is LEDGER_INCONSISTENT with its payload edited in the archive beside its old hashes", async () => {
    await forgeRow("payload", 5, (line) => {
      line.payload = { amount: 1_000_000, memo: "payment 5" };
    });
    const r = await gql(api, token, ONE, { log: "payload", seq: 5 });
    expect(code(r), r.body).toBe("LEDGER_INCONSISTENT");
    expect(r.body).not.toContain("1000000");
  });

  it("is LEDGER_INCONSISTENT with its payload and hashes recomputed in the archive's rows file", async () => {
    await forgeRow("rehashed", 5, (line) => {
      line.payload = { amount: 1_000_000, memo: "payment 5" };
      line.payload_hash = Buffer.from(sha256(canonicalize(line.payload))).toString("hex");
      line.leaf_hash = recomputed(line);
    });
    const r = await gql(api, token, ONE, { log: "rehashed", seq: 5 });
    expect(code(r), r.body).toBe("LEDGER_INCONSISTENT");
    expect(r.body).not.toContain("1000000");
    // Found by a search, it is refused there too: the whole page, not the forged entry.
    const found = await gql(api, token, `{ events(filter: { logs: ["rehashed"], text: "payment" }) { edges { node { seq payload } } } }`);
    expect(code(found), found.body).toBe("LEDGER_INCONSISTENT");
    expect(found.body).not.toContain("1000000");
    // Its neighbours, untouched, are still served.
    const next = await gql(api, token, ONE, { log: "rehashed", seq: 6 });
    expect(next.errors, next.body).toBeUndefined();
  });

  it("is LEDGER_INCONSISTENT with the level 0 tile made to agree with the forged line", async () => {
    let leaf = "";
    await forgeRow("tile", 5, (line) => {
      line.payload = { amount: 1_000_000, memo: "payment 5" };
      line.payload_hash = Buffer.from(sha256(canonicalize(line.payload))).toString("hex");
      line.leaf_hash = leaf = recomputed(line);
    });
    const tile = join(dir, "archive", "tile", "tile", "0", "000.p", String(archivedTo.get("tile")));
    const hashes = await readFile(tile);
    hashes.set(Buffer.from(leaf, "hex"), 5 * 32);
    await writeFile(tile, hashes);
    const r = await gql(api, token, ONE, { log: "tile", seq: 5 });
    expect(code(r), r.body).toBe("LEDGER_INCONSISTENT");
    expect(r.body).not.toContain("1000000");
  });
});
