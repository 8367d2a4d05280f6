/**
 * The console's sign-in with an API key is bounded per client address (SEALTRAIL_API_SIGNIN_*):
 * a burst of wrong keys from one address is answered 429 RATE_LIMITED with Retry-After past
 * the bound, and so is a right key while the address is refused (the refusal tells nothing
 * about the key); the refusals are written to the server's log, counted, not one line each;
 * the bucket refills; a request with a bearer key is not counted. The buckets' arithmetic, the
 * bound on the addresses kept, and how an address is counted (IPv4-mapped, IPv6 by /64).
 */
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress } from "../../src/api/console/client-address.js";
import { SignInLimiter } from "../../src/api/console/sign-in-limiter.js";
import { SignInRefusals } from "../../src/api/console/sign-in-refusals.js";
import { loadApiConfig } from "../../src/config/index.js";
import { ConfigError } from "../../src/config/config-error.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

describe("the sign-in buckets", () => {
  const bounds = { failures: 3, failureRefillMs: 1_000, attempts: 5, attemptRefillMs: 100 };

  it("admit a burst of failures, then one per refill; a sign-in gives its failure token back; a refusal takes nothing", () => {
    const limiter = new SignInLimiter(bounds);
    expect([0, 0, 0].map(() => limiter.admit("a", 0))).toEqual([0, 0, 0]);
    expect(limiter.admit("a", 0)).toBe(1_000);
    expect(limiter.admit("a", 400)).toBe(600);
    expect(limiter.admit("b", 400)).toBe(0);
    expect(limiter.admit("a", 1_000)).toBe(0);
    // Admitted and signed in: the failure token is back, the attempt token is not.
    limiter.signedIn("a", 1_000);
    expect(limiter.admit("a", 1_000)).toBe(0);
    expect(limiter.admit("a", 1_000)).toBe(1_000);
  });

  it("bound attempts in all, successful ones too", () => {
    const limiter = new SignInLimiter(bounds);
    for (let i = 0; i < 5; i++) {
      expect(limiter.admit("a", 0)).toBe(0);
      limiter.signedIn("a", 0);
    }
    expect(limiter.admit("a", 0)).toBe(100);
    expect(limiter.admit("a", 100)).toBe(0);
  });

  it("keep at most maxAddresses, dropping the one used least lately", () => {
    const limiter = new SignInLimiter(bounds, 100);
    for (let i = 0; i < 1_000; i++) limiter.admit(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(limiter.size).toBe(100);
    // "keep" is used on and on, so it is never the least lately used and keeps its empty bucket.
    const keep = new SignInLimiter(bounds, 3);
    for (let i = 0; i < 3; i++) keep.admit("keep", 0);
    for (let i = 0; i < 10; i++) {
      keep.admit(`other-${i}`, 0);
      expect(keep.admit("keep", 0)).toBeGreaterThan(0);
    }
    expect(keep.size).toBe(3);
  });

  it("are configured by SEALTRAIL_API_SIGNIN_*, with stated defaults, and refuse a bad value", () => {
    expect(loadApiConfig({}).signIn).toEqual({ failures: 10, failureRefillMs: 30_000, attempts: 30, attemptRefillMs: 2_000 });
    expect(loadApiConfig({ SEALTRAIL_API_SIGNIN_FAILURES: "4", SEALTRAIL_API_SIGNIN_FAILURE_REFILL_MS: "500", SEALTRAIL_API_SIGNIN_ATTEMPTS: "9", SEALTRAIL_API_SIGNIN_ATTEMPT_REFILL_MS: "50" }).signIn)
      .toEqual({ failures: 4, failureRefillMs: 500, attempts: 9, attemptRefillMs: 50 });
    const error = (() => { try { loadApiConfig({ SEALTRAIL_API_SIGNIN_FAILURES: "0" }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("ENV_INVALID");
  });
});

describe("the client address", () => {
  const of = (remoteAddress: string | undefined) => clientAddress({ socket: { remoteAddress } } as IncomingMessage);

  it("is the connection's peer, IPv4-mapped as IPv4, IPv6 by its /64; never a forwarded header", () => {
    expect(of("127.0.0.1")).toBe("127.0.0.1");
    expect(of("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(of("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(of("2001:DB8:1:2::9")).toBe("2001:db8:1:2::/64");
    expect(of("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(of("::1")).toBe("0:0:0:0::/64");
    expect(of("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(of(undefined)).toBe("unknown");
    expect(clientAddress({ socket: { remoteAddress: "10.1.1.1" }, headers: { "x-forwarded-for": "203.0.113.9" } } as unknown as IncomingMessage)).toBe("10.1.1.1");
  });
});

describe("the refusals' lines", () => {
  it("write an address's first refusal at once and count the rest of its window in one line", async () => {
    const lines: string[] = [];
    const refusals = new SignInRefusals((m) => lines.push(m), 50, 2);
    for (let i = 0; i < 5; i++) refusals.note("192.0.2.1", 3);
    refusals.note("192.0.2.2", 3);
    refusals.note("192.0.2.3", 3);
    refusals.note("192.0.2.4", 3);
    expect(lines).toEqual([
      "console sign-in refused (RATE_LIMITED) from 192.0.2.1: 1 attempt over the address's sign-in rate, retry in 3 s",
      "console sign-in refused (RATE_LIMITED) from 192.0.2.2: 1 attempt over the address's sign-in rate, retry in 3 s",
      "console sign-in refused (RATE_LIMITED) from other addresses: 1 attempt over the address's sign-in rate, retry in 3 s",
    ]);
    await expect.poll(() => lines.length).toBe(5);
    expect(lines.slice(3).sort()).toEqual([
      "console sign-in refused (RATE_LIMITED) from 192.0.2.1: 4 attempts over the address's sign-in rate, in 50 ms",
      "console sign-in refused (RATE_LIMITED) from other addresses: 1 attempt over the address's sign-in rate, in 50 ms",
    ]);
    refusals.flush();
  });
});

describe("console sign-in against the server", () => {
  let ledger: TestLedger;
  let api: TestApi;
  const lines: string[] = [];
  // Three failures in a burst, one more every 3 s: a burst of four local requests takes far less.
  const env = { SEALTRAIL_API_SIGNIN_FAILURES: "3", SEALTRAIL_API_SIGNIN_FAILURE_REFILL_MS: "3000" };

  beforeAll(async () => {
    ledger = await freshLedger("signinrate");
    await createLog(ledger.writer, "s1", { tenant: "acme", origin: "test.example/s1" });
    api = await startApi(ledger, {}, env, {}, (m) => lines.push(m));
  });
  afterAll(async () => {
    await api?.close();
    await ledger?.close();
  });

  const signIn = (token: string) => fetch(`${api.base}/auth/session`, { method: "POST", headers: { origin: api.base, "content-type": "application/json" }, body: JSON.stringify({ token }) });

  it("answers 429 with Retry-After past the bound, to a right key too; writes the refusals to the server's log; refills; a bearer request is not counted", { timeout: 30_000 }, async () => {
    const token = await apiKey(ledger, "acme");
    const wrong = `${token.slice(0, -4)}zzzz`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signIn(wrong)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);

    const refused = await signIn(token);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(3);
    expect(await refused.json()).toMatchObject({ error: "RATE_LIMITED" });
    expect(refused.headers.get("set-cookie")).toBeNull();

    // The same address's requests with a bearer key are the key's, not the sign-in's.
    const read = await gql(api, token, "{ logs { name } }");
    expect(read.status).toBe(200);
    expect(read.data).toEqual({ logs: [{ name: "s1" }] });

    expect(lines.filter((l) => l.startsWith("console sign-in refused (UNAUTHENTICATED) from 127.0.0.1"))).toHaveLength(3);
    expect(lines).toContain("console sign-in refused (RATE_LIMITED) from 127.0.0.1: 1 attempt over the address's sign-in rate, retry in 3 s");
    // The two refusals after the first, counted in one line when its window closes.
    await expect.poll(() => lines.filter((l) => /^console sign-in refused \(RATE_LIMITED\) from 127\.0\.0\.1: 2 attempts /.test(l)), { timeout: 10_000 }).toHaveLength(1);

    // The bucket refills: one failure's token is back within 3 s, and the right key signs in.
    let signedIn: Response | undefined;
    await expect.poll(async () => (signedIn = await signIn(token)).status, { timeout: 15_000, interval: 250 }).toBe(200);
    expect(signedIn!.headers.get("set-cookie")).toMatch(/^sealtrail_session=/);
    // Its failure token was given back: one wrong key is answered 401, not 429.
    expect((await signIn(wrong)).status).toBe(401);
  });
});
