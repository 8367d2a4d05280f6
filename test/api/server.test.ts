import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, startApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
beforeAll(async () => {
  ledger = await freshLedger("server");
  await createLog(ledger.writer, "one", { origin: "test.example/one" });
});
afterAll(async () => ledger?.close());

async function listen(schema: string) {
  return startApi({ ...ledger, schema });
}

describe("HTTP server", () => {
  it("reports healthy when the ledger answers, 503 when its tables are missing", async () => {
    const up = await listen(ledger.schema);
    const down = await listen("no_such_schema");
    try {
      const ok = await fetch(`${up.base}/healthz`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ ok: true, schema: ledger.schema, version: "test" });
      const bad = await fetch(`${down.base}/healthz`);
      expect(bad.status).toBe(503);
      const body = await bad.text();
      expect(JSON.parse(body)).toMatchObject({ ok: false, reason: "ledger tables missing: run sealtrail migrate" });
      expect(body).not.toMatch(/select|at .*\.ts/i);
      expect((await fetch(`${up.base}/nope`)).status).toBe(404);
      expect((await fetch(`${up.base}/healthz`, { method: "POST" })).status).toBe(405);
    } finally {
      await up.close();
      await down.close();
    }
  });

  it("runs as `sealtrail serve` and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, ["bin/sealtrail.js", "serve", "--port", "0"], {
      env: { ...process.env, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        const m = /listening on port (\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await res.json()).toMatchObject({ ok: true, schema: ledger.schema });
      // Loopback IPv4 only by default (SEALTRAIL_API_HOST): not every interface, not [::1].
      await expect(fetch(`http://[::1]:${port}/healthz`)).rejects.toThrow();
      const exit = new Promise<number | null>((r) => child.once("exit", r));
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("says loudly, on SIGTERM, which read records it could not write", async () => {
    const child = spawn(process.execPath, ["bin/sealtrail.js", "serve", "--port", "0"], {
      // On the address SEALTRAIL_API_HOST names (here IPv6 loopback).
      env: { ...process.env, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema, SEALTRAIL_API_HOST: "::1" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        const m = /listening on port (\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const token = await apiKey(ledger, "acme");
    // The writer loses INSERT on entries: the read's record cannot be written before shutdown.
    await ledger.admin.unsafe(`revoke insert on entries from "${ledger.roles.writer}"`);
    try {
      const res = await fetch(`http://[::1]:${port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ logs { name } }" }),
      });
      expect(res.status).toBe(200);
      await expect.poll(async () => ((await (await fetch(`http://[::1]:${port}/healthz`)).json()) as { readLog: { retriedBatches: number } }).readLog.retriedBatches, { timeout: 10_000 }).toBeGreaterThan(0);
      const exit = new Promise<number | null>((r) => child.once("exit", r));
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
      expect(err).toMatch(/1 records NOT WRITTEN at shutdown .*acme\/[0-9a-f-]{36}/);
    } finally {
      child.kill("SIGKILL");
      await ledger.admin.unsafe(`grant insert on entries to "${ledger.roles.writer}"`);
    }
  }, 60_000);

  it("says in one line, without a stack trace, that its port is taken", async () => {
    const taken = await startApi(ledger);
    try {
      const port = new URL(taken.base).port;
      const child = spawn(process.execPath, ["bin/sealtrail.js", "serve", "--port", port], {
        env: { ...process.env, DATABASE_URL: ledger.url, SEALTRAIL_DB_SCHEMA: ledger.schema },
      });
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.once("exit", r));
      expect(code).toBe(2);
      expect(err).toBe(`sealtrail: cannot listen on port ${port}: EADDRINUSE\n`);
    } finally {
      await taken.close();
    }
  });
});
