/**
 * Every reader of a log's entries hashes them in the log's own leaf format
 * (docs/leaf-format.md): a format-2 entry's stored actor, resource and payload hash are its
 * commitments, and its leaf names them so. Streams, tile entry bundles and the archive give
 * leaves whose RFC 9162 hashes are the stored ones, for either format.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestEqual } from "../../src/core/encoding/index.js";
import { entryLeafHash, type LeafVersion } from "../../src/core/entry/index.js";
import { leafHash } from "../../src/core/merkle/index.js";
import type { PackEntry } from "../../src/core/pack/index.js";
import { bundleEntries } from "../../src/ledger/tiles.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
beforeAll(async () => {
  ledger = await freshLedger("leafreads");
});
afterAll(async () => ledger?.close());

const event = (i: number) => ({ kind: "access", actor: `person-${i % 3}@example.com`, action: "login", resource: `mailbox/${i}`, payload: { i } });

describe("readers in the log's leaf format", () => {
  for (const leafVersion of [1, 2] as LeafVersion[]) {
    it(`streams and bundles format-${leafVersion} entries whose leaves hash to the stored leaf hashes`, async () => {
      const name = `reads-v${leafVersion}`;
      const log = await ledger.store.createLog(name, { origin: `test.example/${name}`, leafVersion });
      await ledger.store.appender().append(name, Array.from({ length: 7 }, (_, i) => event(i)));
      const streamed: PackEntry[] = [];
      for await (const batch of ledger.store.streamEntries(log.id, log.origin, 0, 7)) streamed.push(...batch);
      expect(streamed).toHaveLength(7);
      for (const e of streamed) {
        expect(e.v ?? 1).toBe(leafVersion);
        expect(digestEqual(entryLeafHash(e), e.leafHash), `seq ${e.seq}`).toBe(true);
      }
      const bundle = await bundleEntries(ledger.store, log.id, log.origin, 0, 7);
      bundle.forEach((data, i) => expect(digestEqual(leafHash(data), streamed[i]!.leafHash), `bundle entry ${i}`).toBe(true));
      expect(new TextDecoder().decode(bundle[0])).toContain(leafVersion === 2 ? '"actor_commitment":' : '"actor":"person-0@example.com"');
    });
  }
});
