/**
 * attestControl over GraphQL against a real server and PostgreSQL: scope packs:create (admin
 * holds it too); the tenant and the principal are the key's; an unknown control, bad base64
 * or a half period is BAD_USER_INPUT and stores nothing; the entry lands in the key's tenant's
 * audit log, and the bytes are kept under their SHA-256.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogName } from "../../src/ledger/index.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;
let packer: string;
let reader: string;
let other: string;
const FILE = Buffer.from("account,reviewer,decision\nbob,carol,keep\n");

beforeAll(async () => {
  ledger = await freshLedger("api_attest");
  await ledger.store.createLog("prod", { tenant: "acme", origin: "test.example/prod" });
  api = await startApi(ledger);
  [packer, reader, other] = await Promise.all([apiKey(ledger, "acme", ["packs:create"]), apiKey(ledger, "acme", ["events:read", "events:write"]), apiKey(ledger, "globex", ["admin"])]);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

const ATTEST = `mutation($input: AttestationInput!) { attestControl(input: $input) { log seq framework control fileName size sha256 mediaType packFile by } }`;
const input = (extra: Record<string, unknown> = {}) => ({ input: { control: "CC6.3", fileName: "q1 review.csv", content: FILE.toString("base64"), note: "Q1", from: "2025-01-01T00:00:00Z", to: "2025-04-01T00:00:00Z", ...extra } });
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

async function stored(): Promise<{ entries: number; files: number }> {
  const [row] = await ledger.admin<{ entries: number; files: number }[]>`
    select (select count(*)::int from entries e join logs l on l.id = e.log_id where e.kind = 'evidence.attestation') as entries,
      (select count(*)::int from attestation_files) as files`;
  return row!;
}

describe("attestControl", () => {
  it("needs packs:create, and refuses an unknown control, bad base64 and half a period, storing nothing", async () => {
    expect(code(await gql(api, reader, ATTEST, input()))).toBe("FORBIDDEN");
    expect(code(await gql(api, packer, ATTEST, input({ control: "CC99" })))).toBe("BAD_USER_INPUT");
    expect(code(await gql(api, packer, ATTEST, input({ content: "not base64!" })))).toBe("BAD_USER_INPUT");
    expect(code(await gql(api, packer, ATTEST, input({ to: null })))).toBe("BAD_USER_INPUT");
    expect(code(await gql(api, packer, ATTEST, input({ content: "" })))).toBe("BAD_USER_INPUT");
    expect(await stored()).toEqual({ entries: 0, files: 0 });
  }, 60_000);

  it("records the file for the key's tenant, named by the key, and keeps its bytes", async () => {
    const r = await gql(api, packer, ATTEST, input());
    expect(r.errors).toBeUndefined();
    const sha = createHash("sha256").update(FILE).digest("hex");
    const a = (r.data as { attestControl: Record<string, unknown> }).attestControl;
    expect(a).toMatchObject({ log: auditLogName("acme"), framework: "soc2", control: "CC6.3", fileName: "q1_review.csv", size: FILE.length, sha256: sha, mediaType: "text/csv", packFile: `attestations/${sha}-q1_review.csv` });
    expect(a.by).toMatch(/^api_key:[0-9a-f]{16}/);
    expect(Buffer.from((await ledger.store.attestationFile("acme", new Uint8Array(Buffer.from(sha, "hex"))))!).equals(FILE)).toBe(true);
    // Another tenant's key records into its own audit log, never acme's.
    const g = await gql(api, other, ATTEST, input());
    expect((g.data as { attestControl: { log: string } }).attestControl.log).toBe(auditLogName("globex"));
    expect(await ledger.store.attestationFile("globex", new Uint8Array(Buffer.from(sha, "hex")))).toBeDefined();
    expect(await stored()).toEqual({ entries: 2, files: 2 });
  }, 60_000);
});
