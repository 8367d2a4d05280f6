import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCheckpoint, ed25519Verifier } from "../../src/core/note/index.js";
import { rootFromLeafHashes, verifyConsistency, verifyInclusion } from "../../src/core/merkle/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { checkpointLog } from "../../src/ledger/checkpointer.js";
import { LedgerError } from "../../src/ledger/errors.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { consistencyProofFor, inclusionProofFor } from "../../src/ledger/proofs.js";
import { asAttacker, freshLedger, type TestLedger } from "../support/ledger.js";
import { testKey } from "../support/keys.js";

let ledger: TestLedger;
let leaves: Uint8Array[] = [];
const SIZE = 300;

beforeAll(async () => {
  ledger = await freshLedger("proofs");
  await createLog(ledger.writer, "p", { origin: "test.example/p" });
  const appender = new Appender(ledger.writer);
  // Uneven batches so node completion crosses batch boundaries.
  for (let done = 0, b = 1; done < SIZE; b = (b * 3) % 41 + 1) {
    const n = Math.min(b, SIZE - done);
    const receipts = await appender.append("p", Array.from({ length: n }, (_, i) => ({
      kind: "config.change", actor: "ops", action: "set", resource: `key/${done + i}`, payload: { v: done + i },
    })));
    leaves.push(...receipts.map((r) => r.leafHash));
    done += n;
  }
});
afterAll(async () => ledger?.close());

const sizes = [1, 2, 3, 7, 8, 9, 63, 64, 65, 127, 128, 129, 200, 255, 256, 257, 299, 300];

describe("proofs from the database", () => {
  it("serves inclusion proofs that verify with the core for every seq at many sizes", async () => {
    for (const size of sizes) {
      const root = rootFromLeafHashes(leaves.slice(0, size));
      for (let index = 0; index < size; index += Math.max(1, Math.floor(size / 23))) {
        const p = await inclusionProofFor(ledger.adminStore, "p", index, size);
        expect(Buffer.from(p.root)).toEqual(Buffer.from(root));
        expect(Buffer.from(p.leafHash)).toEqual(Buffer.from(leaves[index]!));
        expect(() => verifyInclusion(index, size, leaves[index]!, p.proof, root)).not.toThrow();
        expect(p.proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(size)));
      }
    }
  });

  it("serves consistency proofs that verify with the core", async () => {
    for (const size1 of [0, ...sizes]) {
      for (const size2 of sizes.filter((s) => s >= size1)) {
        const p = await consistencyProofFor(ledger.adminStore, "p", size1, size2);
        const root1 = rootFromLeafHashes(leaves.slice(0, size1));
        const root2 = rootFromLeafHashes(leaves.slice(0, size2));
        expect(Buffer.from(p.root1)).toEqual(Buffer.from(root1));
        expect(Buffer.from(p.root2)).toEqual(Buffer.from(root2));
        expect(() => verifyConsistency(size1, size2, p.proof, root1, root2)).not.toThrow();
      }
    }
  });

  it("calls a log with a stored node missing inconsistent, with or without the sizes given", async () => {
    await createLog(ledger.writer, "holed", { origin: "test.example/holed" });
    const appender = new Appender(ledger.writer);
    await appender.append("holed", Array.from({ length: 40 }, (_, i) => ({ kind: "deploy", actor: "a", action: "b", resource: `r/${i}` })));
    await asAttacker(ledger.admin, (tx) => tx`delete from merkle_nodes where log_id = (select id from logs where name = 'holed') and level = 5 and idx = 0`);
    const calls = [
      () => consistencyProofFor(ledger.adminStore, "holed", 33, 40),
      () => consistencyProofFor(ledger.adminStore, "holed", 33),
      () => inclusionProofFor(ledger.adminStore, "holed", 35, 40),
      () => inclusionProofFor(ledger.adminStore, "holed", 35),
    ];
    for (const call of calls) expect(((await call().catch((e: unknown) => e)) as LedgerError).code).toBe("INCONSISTENT");
    // Proofs that need no missing node are still served.
    expect((await consistencyProofFor(ledger.adminStore, "holed", 8, 16)).proof.length).toBeGreaterThan(0);
  });

  it("refuses sizes and seqs beyond the tree with typed errors", async () => {
    const cases = [
      () => inclusionProofFor(ledger.adminStore, "p", 300, 300),
      () => inclusionProofFor(ledger.adminStore, "p", 0, 301),
      () => inclusionProofFor(ledger.adminStore, "p", -1, 10),
      () => consistencyProofFor(ledger.adminStore, "p", 10, 5),
      () => consistencyProofFor(ledger.adminStore, "p", 0, 1000),
      () => inclusionProofFor(ledger.adminStore, "nope", 0, 1),
    ];
    const codes = [];
    for (const c of cases) codes.push(((await c().catch((e: unknown) => e)) as LedgerError).code);
    expect(codes).toEqual(["OUT_OF_RANGE", "OUT_OF_RANGE", "INVALID_INPUT", "OUT_OF_RANGE", "OUT_OF_RANGE", "LOG_NOT_FOUND"]);
  });
});

describe("checkpointer", () => {
  it("signs the current tree head as a C2SP checkpoint that verifies, once per size", async () => {
    const key = testKey();
    const first = await checkpointLog(ledger.store, "p", key.privateKey);
    expect(first.created).toBe(true);
    const cp = verifyCheckpoint(first.checkpoint.note, ed25519Verifier("test.example/p", key.publicKey));
    expect(cp.size).toBe(BigInt(SIZE));
    expect(Buffer.from(cp.root)).toEqual(Buffer.from(rootFromLeafHashes(leaves)));
    const again = await checkpointLog(ledger.store, "p", key.privateKey);
    expect(again.created).toBe(false);
    expect(again.checkpoint.note).toBe(first.checkpoint.note);
    // A different key does not verify it.
    expect(() => verifyCheckpoint(first.checkpoint.note, ed25519Verifier("test.example/p", testKey().publicKey))).toThrow();
    const stored = await ledger.adminStore.listCheckpoints((await ledger.admin<{ id: number }[]>`select id from logs where name = 'p'`)[0]!.id);
    expect(stored.map((c) => c.size)).toEqual([SIZE]);
  });
});

describe("checkpointer refusing a tree that does not extend its last checkpoint", () => {
  const ev = (i: number) => ({ kind: "deploy", actor: "a", action: "b", resource: `r/${i}` });
  async function checkpointed(name: string, size: number) {
    const key = testKey();
    const log = await createLog(ledger.writer, name, { origin: `test.example/${name}` });
    await new Appender(ledger.writer).append(name, Array.from({ length: size }, (_, i) => ev(i)));
    await checkpointLog(ledger.store, name, key.privateKey);
    return { key, log };
  }

  it("refuses to sign a truncated tail", async () => {
    const { key, log } = await checkpointed("shrunk", 40);
    await asAttacker(ledger.admin, (tx) => tx`delete from entries where log_id = ${log.id} and seq >= 30`);
    const error = await checkpointLog(ledger.store, "shrunk", key.privateKey).catch((e: unknown) => e);
    expect((error as LedgerError).code).toBe("INCONSISTENT");
  });

  it("refuses to sign over an edited leaf, at the same size or after an append", async () => {
    const { key, log } = await checkpointed("edited", 300);
    // Leaf 299 sits under the tree's right edge, rehashed from leaves when the root is taken.
    await asAttacker(ledger.admin, (tx) => tx`update entries set leaf_hash = ${Buffer.alloc(32, 1)} where log_id = ${log.id} and seq = 299`);
    const same = await checkpointLog(ledger.store, "edited", key.privateKey).catch((e: unknown) => e);
    expect((same as LedgerError).code).toBe("INCONSISTENT");
    await new Appender(ledger.writer).append("edited", [ev(300)]);
    const grown = await checkpointLog(ledger.store, "edited", key.privateKey).catch((e: unknown) => e);
    expect((grown as LedgerError).code).toBe("INCONSISTENT");
  });
});
