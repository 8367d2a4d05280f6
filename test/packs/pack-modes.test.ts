/**
 * A pack holds a tenant's evidence: its files are written 0640 and its directories 0750
 * (owner writes, group reads, others nothing), and so is the archive the evidence worker makes,
 * whatever the process's umask lets through.
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeTarGz } from "../../src/packs/tar-gz.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { buildSoc2Pack, filesOf, packWorkdir, seedPackLedger } from "../support/packs.js";

const key = testKey();
let ledger: TestLedger;
let work: string;
let umask: number;

beforeAll(async () => {
  // The usual umask, which lets 0644 through: the pack's own modes must be narrower.
  umask = process.umask(0o022);
  ledger = await freshLedger("packmodes");
  ({ work } = packWorkdir("packmodes", key));
  await seedPackLedger(ledger.writer, key.privateKey);
});
afterAll(async () => {
  process.umask(umask);
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

it("writes every file of a pack 0640, its directories 0750, and its archive 0640", async () => {
  const out = join(work, "pack");
  await buildSoc2Pack(ledger.store, key.privateKey, out);
  const files = filesOf(out);
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) expect({ f, mode: mode(join(out, f)).toString(8) }).toEqual({ f, mode: "640" });
  const dirs = (readdirSync(out, { recursive: true, withFileTypes: true }) as unknown as { isDirectory(): boolean; parentPath: string; name: string }[]).filter((e) => e.isDirectory());
  expect(dirs.length).toBeGreaterThan(0);
  for (const d of [out, ...dirs.map((e) => join(e.parentPath, e.name))]) expect({ d, mode: mode(d).toString(8) }).toEqual({ d, mode: "750" });

  const archive = join(work, "pack.tar.gz");
  await writeTarGz(out, files, archive, 0);
  expect(mode(archive).toString(8)).toBe("640");
});
