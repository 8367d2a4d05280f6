/**
 * Evidence packs through the API: requestEvidencePack queues a job on a real BullMQ queue in
 * real Redis (a queue of this file's own), a real evidence worker builds it, evidencePack(id)
 * shows status and progress, and the archive downloads over HTTP with the same key — for the
 * requesting tenant only. Bad requests queue nothing.
 */
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { enqueuePack, openEvidenceQueue, type EvidenceQueue } from "../../src/packs/evidence-queue.js";
import { startEvidenceWorker, type EvidenceWorker } from "../../src/packs/evidence-worker.js";
import { loadExporters } from "../../src/packs/exporters.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { ROOT, runCli, runTool } from "../support/cli.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { MAX_PACK_LOGS } from "../../src/packs/request.js";
import { ORIGIN_PREFIX, PERIOD, seedAccessLog, seedPackLedger } from "../support/packs.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const key = testKey();
const queueName = `test-${randomUUID()}`;
let ledger: TestLedger;
let api: TestApi;
let queue: EvidenceQueue;
let worker: EvidenceWorker | undefined;
let work: string;
let acme: string;
let reader: string;
let globex: string;

const REQUEST = `mutation ($framework: String!, $logs: [String!]!, $from: DateTime!, $to: DateTime!) {
  requestEvidencePack(framework: $framework, logs: $logs, from: $from, to: $to) { id status progress phase framework logs from to requestedBy packId downloadUrl }
}`;
const LIST = `{ evidencePacks { id status framework logs from to requestedBy requestedAt progress phase error } }`;
const STATUS = `query ($id: ID!) { evidencePack(id: $id) { id status progress phase packId downloadUrl sha256 bytes controls error } }`;

async function waitFor(id: string, token: string): Promise<Record<string, unknown>> {
  const until = Date.now() + 60_000;
  for (;;) {
    const r = await gql(api, token, STATUS, { id });
    const pack = r.data?.evidencePack as Record<string, unknown>;
    if (pack.status === "COMPLETED" || pack.status === "FAILED" || Date.now() > until) return pack;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function download(path: string, token: string | undefined): Promise<Response> {
  return fetch(`${api.base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

beforeAll(async () => {
  ledger = await freshLedger("evidenceapi");
  await seedPackLedger(ledger.writer, key.privateKey);
  await seedAccessLog(ledger.writer, key.privateKey);
  await createLog(ledger.writer, "other", { tenant: "globex", origin: `${ORIGIN_PREFIX}/other` });
  work = mkdtempSync(join(tmpdir(), "sealtrail-evidence-"));
  queue = openEvidenceQueue(REDIS_URL, { name: queueName });
  api = await startApi(ledger, {}, {}, { evidence: { queue, exporters: await loadExporters([]), packDir: join(work, "packs") } });
  acme = await apiKey(ledger, "acme", ["packs:create"]);
  reader = await apiKey(ledger, "acme", ["events:read", "proofs:read"]);
  globex = await apiKey(ledger, "globex", ["packs:create", "events:read"]);
});

afterAll(async () => {
  await worker?.close();
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  await api?.close();
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("requestEvidencePack", () => {
  let id: string;

  it("queues a job and answers QUEUED; the download is not ready yet", async () => {
    const r = await gql(api, acme, REQUEST, { framework: "pci-dss", logs: ["prod"], ...PERIOD });
    expect(r.errors).toBeUndefined();
    const pack = r.data.requestEvidencePack;
    expect(pack).toMatchObject({ status: "QUEUED", progress: 0, framework: "pci-dss", logs: ["prod"], from: "2025-03-01T00:00:00.000Z", packId: null, downloadUrl: null });
    expect(pack.requestedBy).toMatch(/^api_key:/);
    id = pack.id;
    expect((await queue.getJob(id))?.data).toMatchObject({ tenant: "acme", request: { framework: "pci-dss", logs: ["prod"] } });
    // Listed among the tenant's unbuilt requests (evidencePacks), and only the tenant's.
    const listed = await gql(api, acme, LIST);
    expect(listed.errors, listed.body).toBeUndefined();
    expect(listed.data.evidencePacks).toEqual([expect.objectContaining({ id, status: "QUEUED", framework: "pci-dss", logs: ["prod"], requestedBy: pack.requestedBy, error: null })]);
    expect((await gql(api, globex, LIST)).data.evidencePacks).toEqual([]);
    const early = await download(`/packs/${id}.tar.gz`, acme);
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: "NOT_READY", status: "QUEUED" });
  });

  it("is built by the evidence worker; evidencePack shows it done with its download", async () => {
    worker = startEvidenceWorker({
      store: ledger.store, redisUrl: REDIS_URL, queueName, concurrency: 1, packDir: join(work, "packs"), packKey: key.privateKey,
      checkpointKey: key.privateKey, exporters: await loadExporters([]), originPrefix: ORIGIN_PREFIX, generator: { name: "sealtrail", version: "test" },
    });
    const pack = await waitFor(id, acme);
    expect(pack).toMatchObject({ id, status: "COMPLETED", progress: 100, phase: "done", downloadUrl: `/packs/${id}.tar.gz`, error: null });
    expect(pack.packId).toMatch(/^[0-9a-f]{32}$/);
    expect((pack.controls as Record<string, number>).exceptions).toBeGreaterThan(0);

    const res = await download(String(pack.downloadUrl), acme);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/gzip");
    expect(res.headers.get("x-sealtrail-pack-id")).toBe(pack.packId);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(pack.bytes);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(pack.sha256);
    const archive = join(work, "download.tar.gz");
    writeFileSync(archive, bytes);
    const dir = join(work, "download");
    mkdirSync(dir);
    expect((await runTool("tar", ["xzf", archive, "-C", dir])).code).toBe(0);
    expect((await runTool("sha256sum", ["-c", "--quiet", "SHA256SUMS"], dir)).code).toBe(0);
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.packId).toBe(pack.packId);

    // The build and the download are both in the tenant's audit log (PCI DSS 10.2.1.3).
    const until = Date.now() + 5000;
    let kinds: string[] = [];
    while (Date.now() < until) {
      const rows = await ledger.admin<{ kind: string; resource: string; payload: string }[]>`
        select e.kind, e.resource, e.payload from entries e join logs l on l.id = e.log_id where l.name = 'sealtrail.audit.acme' order by e.seq`;
      kinds = rows.map((r) => (r.kind === "ledger.read" ? `read:${r.resource}` : r.kind === "ledger.write" ? `write:${r.resource}` : r.kind === "pack.build" ? `build:${JSON.parse(r.payload).packId}` : r.kind));
      if (kinds.includes("read:evidencePackDownload")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(kinds).toContain(`build:${pack.packId}`);
    expect(kinds).toContain("write:requestEvidencePack");
    expect(kinds).toContain("read:evidencePackDownload");
  });

  it("answers only to the tenant that asked, and only with the packs:create scope", async () => {
    expect((await gql(api, globex, STATUS, { id })).data).toEqual({ evidencePack: null });
    expect((await gql(api, acme, STATUS, { id: randomUUID() })).data).toEqual({ evidencePack: null });
    expect((await gql(api, acme, STATUS, { id: "not-a-uuid" })).data).toEqual({ evidencePack: null });
    const forbidden = await gql(api, reader, STATUS, { id });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const other = await download(`/packs/${id}.tar.gz`, globex);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: "NOT_FOUND", message: "no such pack" });
    expect((await download(`/packs/${id}.tar.gz`, reader)).status).toBe(403);
    const anonymous = await download(`/packs/${id}.tar.gz`, undefined);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: "UNAUTHENTICATED" });
    expect((await download("/packs/../../etc/passwd", acme)).status).toBe(404);
    // The archive removed from the server (retention): 410, not a 500.
    const archive = join(work, "packs", "acme", `${id}.tar.gz`);
    renameSync(archive, `${archive}.away`);
    const gone = await download(`/packs/${id}.tar.gz`, acme);
    renameSync(`${archive}.away`, archive);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: "GONE" });
    expect((await fetch(`${api.base}/packs/${id}.tar.gz`, { method: "DELETE", headers: { authorization: `Bearer ${acme}` } })).status).toBe(405);
    // Refused downloads are audited as failures, in the asking key's tenant's audit log.
    await api.server.recorder.flush();
    const refused = await ledger.admin<{ actor: string; outcome: string; payload: string }[]>`
      select actor, outcome, payload from entries where resource = 'evidencePackDownload' and outcome = 'failure' order by seq`;
    const codes = (token: string) => refused.filter((r) => r.actor === `api_key:${token.slice(10, 26)}`).map((r) => (JSON.parse(r.payload) as { errors: string[] }).errors[0]);
    expect(codes(globex)).toEqual(["NOT_FOUND"]);
    expect(codes(reader)).toEqual(["FORBIDDEN"]);
    // The early download of the first test (not ready yet) and the archive gone.
    expect(codes(acme)).toEqual(["NOT_READY", "GONE"]);
  });

  it("builds a pack over two logs of the tenant, a section each", async () => {
    const r = await gql(api, acme, REQUEST, { framework: "soc2", logs: ["prod-access", "prod"], ...PERIOD });
    expect(r.errors).toBeUndefined();
    const requested = r.data.requestEvidencePack;
    expect(requested).toMatchObject({ status: "QUEUED", framework: "soc2", logs: ["prod", "prod-access"] });
    expect((await queue.getJob(requested.id))?.data).toMatchObject({ tenant: "acme", request: { logs: ["prod", "prod-access"], scope: expect.stringMatching(/^logs prod \(.*\), prod-access \(.*\) of tenant acme$/) } });
    const pack = await waitFor(requested.id, acme);
    expect(pack).toMatchObject({ status: "COMPLETED", error: null });
    const archive = join(work, "two.tar.gz");
    writeFileSync(archive, Buffer.from(await (await download(String(pack.downloadUrl), acme)).arrayBuffer()));
    const dir = join(work, "two");
    mkdirSync(dir);
    expect((await runTool("tar", ["xzf", archive, "-C", dir])).code).toBe(0);
    expect((await runTool("sha256sum", ["-c", "--quiet", "SHA256SUMS"], dir)).code).toBe(0);
    const report = await verifyPack(dir, { checkpointKeys: [key.publicKey] });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.filter((c) => c.check === "events").map((c) => c.file)).toEqual(["logs/prod/events.jsonl", "logs/prod-access/events.jsonl", "audit/events.jsonl"]);
    expect(report.packId).toBe(pack.packId);
  });

  it("fails a job that can never succeed at once, without retries, and says why", async () => {
    // Queued directly (the API would refuse them): acme asking for globex's log, among its own or
    // alone in the single `log` of jobs queued before packs covered several logs.
    const { logs: _, ...request } = (await queue.getJob(id))!.data.request;
    for (const asked of [{ logs: ["prod", "other"] }, { log: "other" }]) {
      const bad = await enqueuePack(queue, { tenant: "acme", request: { ...request, ...asked } });
      const pack = await waitFor(bad, acme);
      expect(pack, JSON.stringify(asked)).toMatchObject({ status: "FAILED", packId: null, downloadUrl: null });
      expect(pack.error).toMatch(/^INVALID_REQUEST: no log named "other"/);
      expect((await queue.getJob(bad))!.attemptsMade).toBe(1);
      expect((await download(`/packs/${bad}.tar.gz`, acme)).status).toBe(409);
    }
  });

  it("lists the tenant's failed requests with who asked and why they failed; built ones on request; never another tenant's", async () => {
    const theirs = await enqueuePack(queue, { tenant: "globex", request: { ...(await queue.getJob(id))!.data.request, logs: ["prod"] } });
    expect((await waitFor(theirs, globex)).status).toBe("FAILED");
    const mine = await gql(api, acme, LIST);
    expect(mine.errors, mine.body).toBeUndefined();
    const failed = mine.data.evidencePacks as { id: string; status: string; error: string; requestedBy: string; requestedAt: string }[];
    expect(failed.length).toBe(2);
    for (const f of failed) {
      expect(f.status).toBe("FAILED");
      expect(f.error).toMatch(/^INVALID_REQUEST: no log named "other"/);
      expect(f.requestedBy).toMatch(/^api_key:/);
    }
    expect(failed.map((f) => f.id)).not.toContain(theirs);
    expect(Date.parse(failed[0]!.requestedAt)).toBeGreaterThanOrEqual(Date.parse(failed[1]!.requestedAt));
    const built = await gql(api, acme, `{ evidencePacks(statuses: [COMPLETED], first: 1) { id status downloadUrl controls } }`);
    expect(built.data.evidencePacks).toEqual([expect.objectContaining({ status: "COMPLETED", downloadUrl: expect.stringMatching(/^\/packs\/.+\.tar\.gz$/) })]);
    const globexSees = (await gql(api, globex, LIST)).data.evidencePacks as { id: string; error: string }[];
    expect(globexSees.map((p) => p.id)).toEqual([theirs]);
    expect(globexSees[0]!.error).toMatch(/no log named "prod"/);
    expect((await gql(api, reader, LIST)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gql(api, acme, `{ evidencePacks(first: 0) { id } }`)).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    // The listing is recorded in the tenant's audit log as reads are.
    await api.server.recorder.flush();
    const reads = await ledger.admin<{ resource: string; actor: string }[]>`
      select e.resource, e.actor from entries e join logs l on l.id = e.log_id where l.name = 'sealtrail.audit.acme' and e.kind = 'ledger.read' and e.resource = 'evidencePacks'`;
    // The listings by acme's key (three answered, one refused), and the read-only key's refusal.
    expect(reads.filter((r) => r.actor === `api_key:${acme.slice(10, 26)}`).length).toBe(4);
    expect(reads.filter((r) => r.actor === `api_key:${reader.slice(10, 26)}`).length).toBe(1);
  });

  it("refuses bad requests with BAD_USER_INPUT and queues nothing", async () => {
    const before = await queue.count();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ framework: "nist-csf", logs: ["prod"], ...PERIOD }, /framework: got "nist-csf"/],
      [{ framework: "soc2", logs: [], ...PERIOD }, /logs: want at least one log/],
      [{ framework: "soc2", logs: ["prod", "prod-access", "prod"], ...PERIOD }, /logs: "prod" is given twice/],
      [{ framework: "soc2", logs: Array.from({ length: MAX_PACK_LOGS + 1 }, (_, i) => `log-${i}`), ...PERIOD }, /logs: got 21, want at most 20/],
      [{ framework: "soc2", logs: ["other"], ...PERIOD }, /no log named "other"/],
      [{ framework: "soc2", logs: ["prod", "other"], ...PERIOD }, /no log named "other"/],
      [{ framework: "soc2", logs: ["prod"], from: PERIOD.to, to: PERIOD.from }, /is not before/],
    ];
    for (const [variables, message] of cases) {
      const r = await gql(api, acme, REQUEST, variables);
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe("BAD_USER_INPUT");
      expect(r.errors?.[0]?.message).toMatch(message);
    }
    const bad = await gql(api, acme, REQUEST, { framework: "soc2", logs: ["prod"], from: "yesterday", to: PERIOD.to });
    expect(bad.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    const noScope = await gql(api, reader, REQUEST, { framework: "soc2", logs: ["prod"], ...PERIOD });
    expect(noScope.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await queue.count()).toBe(before);
  });
});

describe("sealtrail pack-worker", () => {
  it("starts, says it is ready, and stops cleanly on SIGTERM", async () => {
    const keyFile = join(work, "worker-key.pem");
    writeFileSync(keyFile, key.pem, { mode: 0o600 });
    const child = spawn(process.execPath, [join(ROOT, "bin", "sealtrail.js"), "pack-worker"], {
      env: { PATH: process.env.PATH, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, REDIS_URL, SEALTRAIL_SIGNING_KEY: keyFile, SEALTRAIL_EVIDENCE_QUEUE: `test-${randomUUID()}`, SEALTRAIL_PACK_DIR: join(work, "worker-packs") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const until = Date.now() + 30_000;
    while (!out.includes('"event":"ready"') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('"event":"ready"');
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toContain('"event":"stopped"');
  });

  it("refuses a bad concurrency or a missing key with one line and exit 2", async () => {
    const zero = await runCli(["pack-worker", "--concurrency", "0"], {});
    expect(zero).toMatchObject({ code: 2, stderr: "sealtrail: pack-worker: --concurrency: got 0, want at least 1\n" });
    const noKey = await runCli(["pack-worker"], { DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^sealtrail: pack-worker: no key to sign packs/);
  });
});
