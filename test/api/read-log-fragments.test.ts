/**
 * The read log sees what the executor executes: a root field reached through any nesting of
 * named and inline fragments is recorded, over HTTP and over WebSocket (security review:
 * fields nine fragment spreads deep were executed and not recorded).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appender } from "../../src/ledger/postgres/appender.js";
import { createLog } from "../../src/ledger/postgres/logs.js";
import { apiKey, gql, startApi, wsClient, type TestApi } from "../support/api.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";

let ledger: TestLedger;
let api: TestApi;

beforeAll(async () => {
  ledger = await freshLedger("readfrag");
  await createLog(ledger.writer, "app", { tenant: "acme", origin: "test.example/app" });
  await new Appender(ledger.writer).append("app", Array.from({ length: 5 }, (_, i) => ({ kind: "custom", actor: "a", action: "x", resource: `r${i}` })));
  api = await startApi(ledger, { readLogFlushMs: 20 });
});
afterAll(async () => {
  await api?.close();
  await ledger?.close();
});

async function recordsOf(token: string): Promise<{ resource: string; source: string; rows: number }[]> {
  await api.server.recorder.flush();
  const keyId = token.slice(10, 26);
  const rows = await ledger.admin<{ resource: string; source: string; payload: string }[]>`
    select resource, source, payload from entries
    where log_id = (select id from logs where name = 'sealtrail.audit.acme') and actor = ${`api_key:${keyId}`} order by seq`;
  return rows.map((r) => ({ resource: r.resource, source: r.source, rows: (JSON.parse(r.payload) as { rows: number }).rows }));
}

/** `depth` named fragments, each spreading the next (alternating with inline fragments when `inline`), the last selecting events. */
export function nestedFragments(depth: number, inline = false): string {
  const defs: string[] = [];
  for (let i = 0; i < depth; i++) {
    const next = i + 1 < depth ? `...F${i + 1}` : `events(first: 3) { edges { node { payload } } }`;
    defs.push(`fragment F${i} on Query { ${inline && i % 2 === 0 ? `... on Query { ... { ${next} } }` : next} }`);
  }
  return `query { ...F0 } ${defs.join(" ")}`;
}

describe("read log and fragments", () => {
  for (const depth of [9, 30]) {
    it(`records a read ${depth} named fragment spreads deep over HTTP`, async () => {
      const token = await apiKey(ledger, "acme");
      const r = await gql(api, token, nestedFragments(depth));
      expect(r.errors).toBeUndefined();
      expect((r.data as any).events.edges).toHaveLength(3);
      await expect.poll(() => recordsOf(token), { timeout: 5000 }).toEqual([{ resource: "events", source: "sealtrail-api/http", rows: 3 }]);
    });
  }

  it("records a read behind mixed inline and named fragments over HTTP", async () => {
    const token = await apiKey(ledger, "acme");
    const r = await gql(api, token, nestedFragments(24, true));
    expect(r.errors).toBeUndefined();
    await expect.poll(() => recordsOf(token), { timeout: 5000 }).toEqual([{ resource: "events", source: "sealtrail-api/http", rows: 3 }]);
  });

  it("records a read 12 fragment spreads deep over WebSocket", async () => {
    const token = await apiKey(ledger, "acme");
    const client = wsClient(api, token);
    try {
      const result = await new Promise<any>((resolve, reject) => {
        let last: unknown;
        client.subscribe({ query: nestedFragments(12, true) }, { next: (m) => void (last = m), error: reject, complete: () => resolve(last) });
      });
      expect(result.errors).toBeUndefined();
      expect(result.data.events.edges).toHaveLength(3);
    } finally {
      await client.dispose();
    }
    await expect.poll(() => recordsOf(token), { timeout: 5000 }).toEqual([{ resource: "events", source: "sealtrail-api/websocket", rows: 3 }]);
  });
});

/** A small seeded PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Root fields: their arguments and their selection. */
const ROOT_SELECTIONS: Record<string, [string, string]> = {
  events: [`(first: 2)`, `{ edges { node { seq } } }`],
  logs: [``, `{ name }`],
  log: [`(name: "app")`, `{ name }`],
  event: [`(log: "app", seq: 0)`, `{ seq }`],
};

/**
 * A random operation over Query: root fields under aliases, @skip/@include on variables, inline
 * fragments and chains of named fragments of random depth, spread from several places.
 */
export function randomOperation(random: () => number): { query: string; variables: Record<string, boolean> } {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const fragments: string[] = [];
  const variables: Record<string, boolean> = { on: true, off: false };
  const selection = (depth: number): string => {
    const r = random();
    if (depth > 40 || r < 0.3) {
      const name = pick(Object.keys(ROOT_SELECTIONS));
      const alias = random() < 0.5 ? `a${Math.floor(random() * 1000)}: ` : "";
      const directive = random() < 0.3 ? pick([" @include(if: $on)", " @skip(if: $off)", " @skip(if: $on)", " @include(if: $off)"]) : "";
      const [args, body] = ROOT_SELECTIONS[name]!;
      return `${alias}${name}${args}${directive} ${body}`;
    }
    if (r < 0.55) return `... on Query { ${selection(depth + 1)} ${random() < 0.3 ? "__typename" : ""} }`;
    if (r < 0.65) return `...${random() < 0.5 ? " @include(if: $on)" : ""} { ${selection(depth + 1)} }`;
    const name = `F${fragments.length}`;
    fragments.push("");
    const at = fragments.length - 1;
    fragments[at] = `fragment ${name} on Query { ${selection(depth + 1)} ${random() < 0.3 ? selection(depth + 1) : ""} }`;
    return `...${name}`;
  };
  const top = Array.from({ length: 1 + Math.floor(random() * 3) }, () => selection(0));
  return { query: `query Q($on: Boolean!, $off: Boolean!) { __typename @include(if: $on) @skip(if: $off) ${top.join(" ")} } ${fragments.join(" ")}`, variables };
}

describe("read log invariant (generated queries)", () => {
  it("records every root field the executor ran, for 25 generated operations over HTTP", async () => {
    const token = await apiKey(ledger, "acme");
    const keyId = token.slice(10, 26);
    const random = prng(Number(process.env.SEALTRAIL_FUZZ_SEED ?? 17));
    const expected: string[][] = [];
    for (let i = 0; i < 25; i++) {
      const { query, variables } = randomOperation(random);
      const r = await gql(api, token, query.replace("query Q(", `query Q${i}(`), variables);
      expect(r.errors, query).toBeUndefined();
      // The root fields that answered, by their name in the schema (aliases undone by the query's text).
      const ran = new Set<string>();
      for (const key of Object.keys(r.data ?? {})) {
        const m = new RegExp(`(?:^|[^\\w])${key}:\\s*(\\w+)`).exec(query);
        ran.add(m ? m[1]! : key);
      }
      ran.delete("__typename");
      expected.push([...ran].sort());
    }
    await api.server.recorder.flush();
    const rows = await ledger.admin<{ payload: string }[]>`
      select payload from entries where log_id = (select id from logs where name = 'sealtrail.audit.acme') and actor = ${`api_key:${keyId}`} order by seq`;
    const recorded = new Map(rows.map((r) => JSON.parse(r.payload) as { operation: string; fields: string[] }).map((p) => [p.operation, p.fields]));
    // Every executed field is in its request's record (a field skipped by a directive may be too).
    expected.forEach((ran, i) => {
      if (ran.length > 0) expect(recorded.get(`Q${i}`), `Q${i}`).toEqual(expect.arrayContaining(ran));
    });
  });
});
