/**
 * Reads verified against the signed tree (security review, item 7): an insider with the
 * database can rewrite a row and recompute its hashes, change stored tree nodes, or write
 * checkpoint rows; none of it may be served as good. Each case tampers as the superuser, in
 * a log of its own, and expects LEDGER_INCONSISTENT without the forged data, a
 * `read.inconsistent` alert recorded in the tenant's audit log, and the untouched logs served.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../src/core/encoding/index.js";
import { encodeCursor } from "../../src/core/token/index.js";
import { ed25519Signer, signCheckpoint } from "../../src/core/note/index.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { rootAt } from "../../src/ledger/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { testKey } from "../support/keys.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { forgedLeaf, type Row } from "../support/tamper.js";

let ledger: TestLedger;
let api: TestApi;
let token: string;
const key = testKey();
const logs = new Map<string, { id: number; origin: string }>();
const messages: string[] = [];

// 40 entries under a signed checkpoint, then 5 more not signed yet.
async function seed(name: string): Promise<void> {
  const origin = `test.example/${name}`;
  const log = await createLog(ledger.writer, name, { tenant: "acme", origin });
  logs.set(name, { id: log.id, origin });
  const appender = new Appender(ledger.writer);
  const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ kind: "custom", actor: "alice", action: "x", resource: `r${from + i}`, payload: { amount: from + i } }));
  await appender.append(name, batch(0, 40));
  await checkpointLog(ledger.store, name, key.privateKey);
  await appender.append(name, batch(40, 5));
}

beforeAll(async () => {
  ledger = await freshLedger("signedreads");
  for (const name of ["good", "forged", "tree", "cp", "resigned", "ahead", "sibling", "filtered", "cross1", "cross2"]) await seed(name);
  api = await startApi(ledger, {}, {}, { verifierPublicKey: key.publicKey }, (m) => messages.push(m));
  token = await apiKey(ledger, "acme");
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

const ONE = `query($log: String!, $seq: BigInt!) { event(log: $log, seq: $seq) { seq actor payload } }`;
const PAGE = `query($log: String!) { events(first: 50, filter: { logs: [$log] }) { edges { node { seq payload } } } }`;
const AFTER = `query($log: String!, $after: String!, $first: Int!) { events(first: $first, filter: { logs: [$log] }, after: $after) { edges { node { seq payload } } } }`;
const BY_ACTOR = `query($log: String!, $first: Int!) { events(first: $first, filter: { logs: [$log], actor: "alice" }) { edges { node { seq payload } } } }`;
const PROOF = `query($log: String!, $seq: BigInt!) { event(log: $log, seq: $seq) { seq inclusionProof { treeSize root hashes checkpoint { size } } } }`;
const CONSISTENCY = `query($log: String!, $from: BigInt!) { consistencyProof(log: $log, from: $from, to: 40) { fromRoot toRoot hashes } }`;
const LATEST = `query($log: String!) { latestCheckpoint(log: $log) { size root note } log(name: $log) { latestCheckpoint { size } } }`;

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

/** Polls the tenant's audit log for a read.inconsistent alert about `log`. */
async function alertFor(log: string): Promise<{ message: string; firstBadSeq: number | null }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await ledger.admin<{ payload: string }[]>`
      select e.payload from entries e join logs l on l.id = e.log_id
      where l.name = 'sealtrail.audit.acme' and e.kind = 'integrity.alert' and e.action = 'read.inconsistent' and e.resource = ${log}`;
    if (rows.length > 0) return JSON.parse(rows[0]!.payload);
    if (Date.now() > deadline) throw new Error(`no read.inconsistent alert for ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A self-consistent forgery of entry `seq` of `log`: a new payload, its hash and the leaf hash recomputed to match. */
async function forgeRow(log: string, seq: number): Promise<void> {
  const { id, origin } = logs.get(log)!;
  await asAttacker(ledger.admin, async (tx) => {
    const [row] = await tx<Row[]>`select * from entries where log_id = ${id} and seq = ${seq}`;
    const payload = `{"amount":9999999}`;
    const leaf = forgedLeaf(origin, { ...row!, payload }, seq);
    await tx`update entries set payload = ${payload}, payload_hash = ${Buffer.from(sha256(payload))}, leaf_hash = ${Buffer.from(leaf)} where log_id = ${id} and seq = ${seq}`;
  });
}

describe("verified reads against the signed checkpoint", () => {
  it("serves untouched entries, proofs and checkpoints, signed or past the newest checkpoint", async () => {
    // These are first read a part at a time, below.
    for (const log of [...logs.keys()].filter((name) => !["ahead", "sibling", "filtered", "cross1", "cross2"].includes(name))) {
      const page = await gql(api, token, PAGE, { log });
      expect(page.errors, page.body).toBeUndefined();
      expect(page.data.events.edges).toHaveLength(45);
    }
    const proof = await gql(api, token, PROOF, { log: "good", seq: 20 });
    expect(proof.errors, proof.body).toBeUndefined();
    expect(proof.data.event.inclusionProof).toMatchObject({ treeSize: 40, checkpoint: { size: 40 } });
    const consistency = await gql(api, token, CONSISTENCY, { log: "good", from: 24 });
    expect(consistency.errors, consistency.body).toBeUndefined();
    const latest = await gql(api, token, LATEST, { log: "good" });
    expect(latest.errors, latest.body).toBeUndefined();
    expect(latest.data.latestCheckpoint.size).toBe(40);
  });

  it("refuses a row whose payload and hashes were all recomputed (a self-consistent forgery)", async () => {
    // Seq 37 lies in the range node of 32–39, seq 20 below a stored node: both are forged.
    for (const seq of [37, 20]) {
      await forgeRow("forged", seq);
      const r = await gql(api, token, ONE, { log: "forged", seq });
      expect(code(r), r.body).toBe("LEDGER_INCONSISTENT");
      expect(r.body).not.toContain("9999999");
    }
    const page = await gql(api, token, PAGE, { log: "forged" });
    expect(code(page), page.body).toBe("LEDGER_INCONSISTENT");
    expect(page.body).not.toContain("9999999");
    // An entry in another part of the tree is still served.
    expect((await gql(api, token, ONE, { log: "forged", seq: 3 })).data.event).toMatchObject({ seq: 3, payload: { amount: 3 } });
    const alert = await alertFor("forged");
    expect(alert.message).toMatch(/entry (37|20) of log forged/);
    expect(messages.some((m) => m.startsWith("INTEGRITY: tenant acme:") && m.includes("forged"))).toBe(true);
    // The read itself is recorded as a failure with the code.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [n] = await ledger.admin<{ n: number }[]>`
        select count(*)::int as n from entries e join logs l on l.id = e.log_id
        where l.name = 'sealtrail.audit.acme' and e.kind = 'ledger.read' and e.outcome = 'failure' and e.payload like '%LEDGER_INCONSISTENT%'`;
      if (n!.n > 0) break;
      if (Date.now() > deadline) throw new Error("no failed read record");
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it("refuses proofs from a stored tree changed in the database", async () => {
    const { id } = logs.get("tree")!;
    // Served (and its path verified) before the change, so the entry itself still verifies from the cache.
    expect((await gql(api, token, ONE, { log: "tree", seq: 20 })).errors).toBeUndefined();
    await asAttacker(ledger.admin, (tx) => tx`update merkle_nodes set hash = ${Buffer.alloc(32, 7)} where log_id = ${id} and level = 4 and idx = 0`);
    const proof = await gql(api, token, PROOF, { log: "tree", seq: 20 });
    expect(code(proof), proof.body).toBe("LEDGER_INCONSISTENT");
    expect(proof.body).not.toContain(Buffer.alloc(32, 7).toString("base64"));
    const consistency = await gql(api, token, CONSISTENCY, { log: "tree", from: 24 });
    expect(code(consistency), consistency.body).toBe("LEDGER_INCONSISTENT");
    expect(consistency.body).not.toContain(Buffer.alloc(32, 7).toString("base64"));
    await alertFor("tree");
  });

  it("refuses a checkpoint row not signed by the log's key", async () => {
    const { id, origin } = logs.get("cp")!;
    const root = await rootAt(ledger.store, id, 45);
    const forger = testKey();
    const note = signCheckpoint({ origin, size: 45, root }, ed25519Signer(origin, forger.privateKey));
    await asAttacker(ledger.admin, (tx) => tx`insert into checkpoints (log_id, size, root, note, key_id) values (${id}, 45, ${Buffer.from(root)}, ${note}, 'forged')`);
    const latest = await gql(api, token, LATEST, { log: "cp" });
    expect(code(latest), latest.body).toBe("LEDGER_INCONSISTENT");
    expect(latest.body).not.toContain("forged");
    const r = await gql(api, token, ONE, { log: "cp", seq: 3 });
    expect(code(r), r.body).toBe("LEDGER_INCONSISTENT");
    // Nor is the checkpoint at 40 served while the newest row is forged: which history is
    // the signed one cannot be told from the database.
    const at40 = await gql(api, token, `{ checkpoint(log: "cp", size: 40) { size } }`);
    expect(code(at40), at40.body).toBe("LEDGER_INCONSISTENT");
    await alertFor("cp");
  });

  it("refuses the same forgeries when a page's checkpoint and tree nodes were read ahead of it (pages after a cursor)", async () => {
    const { id, origin } = logs.get("ahead")!;
    const after = (seq: number, first: number) => gql(api, token, AFTER, { log: "ahead", after: encodeCursor({ logId: id, seq }), first });
    // Served once: the log is now one of the tenant's recent ones, its checkpoint read ahead of each page.
    const warm = await after(29, 10);
    expect(warm.errors, warm.body).toBeUndefined();
    expect(warm.data.events.edges.map((e: { node: { seq: number } }) => e.node.seq)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
    // A self-consistent forgery in a part of the tree no page has shown: its nodes are read ahead.
    await forgeRow("ahead", 20);
    const forged = await after(9, 20);
    expect(code(forged), forged.body).toBe("LEDGER_INCONSISTENT");
    expect(forged.body).not.toContain("9999999");
    // The entries before it still verify (their nodes read ahead too).
    const before = await after(0, 9);
    expect(before.errors, before.body).toBeUndefined();
    expect(before.data.events.edges).toHaveLength(9);
    // A forged newest checkpoint, read ahead of the page: refused, even for a page served before.
    const root = await rootAt(ledger.store, id, 45);
    const note = signCheckpoint({ origin, size: 45, root }, ed25519Signer(origin, testKey().privateKey));
    await asAttacker(ledger.admin, (tx) => tx`insert into checkpoints (log_id, size, root, note, key_id) values (${id}, 45, ${Buffer.from(root)}, ${note}, 'forged')`);
    const again = await after(29, 10);
    expect(code(again), again.body).toBe("LEDGER_INCONSISTENT");
    await alertFor("ahead");
  });

  it("refuses a forged row of the next log in a page after a cursor that runs on into it (only the cursor's log is read ahead)", async () => {
    const first = logs.get("cross1")!;
    const page = () =>
      gql(api, token, `query($after: String!) { events(first: 10, filter: { logs: ["cross1", "cross2"] }, after: $after) { edges { node { log seq payload } } } }`, {
        after: encodeCursor({ logId: first.id, seq: 39 }),
      });
    const served = await page();
    expect(served.errors, served.body).toBeUndefined();
    expect(served.data.events.edges.map((e: { node: { log: string; seq: number } }) => `${e.node.log}:${e.node.seq}`)).toEqual([
      ...[40, 41, 42, 43, 44].map((seq) => `cross1:${seq}`),
      ...[0, 1, 2, 3, 4].map((seq) => `cross2:${seq}`),
    ]);
    await forgeRow("cross2", 3);
    const forged = await page();
    expect(code(forged), forged.body).toBe("LEDGER_INCONSISTENT");
    expect(forged.body).not.toContain("9999999");
    await alertFor("cross2");
  });

  it("refuses a filtered page whose stored siblings, read beside its rows, were changed, or whose row was forged", async () => {
    const byActor = (log: string, first: number) => gql(api, token, BY_ACTOR, { log, first });
    // Entries 0…15 are checked through the stored node (4, 1) over 16…31, which no page has
    // shown; nor is it kept when the log's checkpoint is first trusted (the top of the tree
    // read then no longer hashes up to the signed root).
    const sibling = logs.get("sibling")!.id;
    await asAttacker(ledger.admin, (tx) => tx`update merkle_nodes set hash = ${Buffer.alloc(32, 5)} where log_id = ${sibling} and level = 4 and idx = 1`);
    const changed = await byActor("sibling", 16);
    expect(code(changed), changed.body).toBe("LEDGER_INCONSISTENT");
    expect(changed.body).not.toContain("amount");
    // The page of all 45 hashes 0…31 up from its own leaves: the changed node is not needed, and every entry verifies.
    const whole = await byActor("sibling", 50);
    expect(whole.errors, whole.body).toBeUndefined();
    expect(whole.data.events.edges).toHaveLength(45);
    await alertFor("sibling");

    await forgeRow("filtered", 20);
    for (const first of [50, 21]) {
      const forged = await byActor("filtered", first);
      expect(code(forged), forged.body).toBe("LEDGER_INCONSISTENT");
      expect(forged.body).not.toContain("9999999");
    }
    // The entries before the forged one's subtree still verify, and are kept verified.
    const before = await byActor("filtered", 16);
    expect(before.errors, before.body).toBeUndefined();
    expect((await alertFor("filtered")).firstBadSeq).toBeLessThanOrEqual(20);
  });

  it("refuses a signed checkpoint of a rewritten history (a root that does not extend the one verified before)", async () => {
    const { id, origin } = logs.get("resigned")!;
    // Served once: the checkpoint at 40 is now verified.
    expect((await gql(api, token, LATEST, { log: "resigned" })).errors).toBeUndefined();
    // The signing key's holder signs a size-45 tree whose first leaf was replaced.
    const forgedRoot = new Uint8Array(sha256("another history"));
    const note = signCheckpoint({ origin, size: 45, root: forgedRoot }, ed25519Signer(origin, key.privateKey));
    await asAttacker(ledger.admin, (tx) => tx`insert into checkpoints (log_id, size, root, note, key_id) values (${id}, 45, ${Buffer.from(forgedRoot)}, ${note}, 'resigned')`);
    const latest = await gql(api, token, LATEST, { log: "resigned" });
    expect(code(latest), latest.body).toBe("LEDGER_INCONSISTENT");
    expect(latest.body).not.toContain(Buffer.from(forgedRoot).toString("base64"));
    // Deleting it and the checkpoint at 40 (a truncation) is refused too: 40 was verified.
    await asAttacker(ledger.admin, (tx) => tx`delete from checkpoints where log_id = ${id}`);
    const gone = await gql(api, token, ONE, { log: "resigned", seq: 3 });
    expect(code(gone), gone.body).toBe("LEDGER_INCONSISTENT");
    await alertFor("resigned");
  });
});
