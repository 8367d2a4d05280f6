/**
 * What an attacker with the Postgres superuser does to a log, for the verifier's and the
 * sweeps' tests: seed a log, forge rows with hashes computed as the appender would, and
 * rewrite a whole log so that it is consistent with itself again.
 */
import { chainHash, entryLeafHash, GENESIS_CHAIN_HASH } from "../../src/core/entry/index.js";
import { sha256 } from "../../src/core/encoding/index.js";
import { appendToFrontier } from "../../src/core/merkle/index.js";
import { Appender } from "../../src/ledger/postgres/appender.js";
import type { Sql } from "../../src/ledger/postgres/db.js";
import { createLog } from "../../src/ledger/postgres/logs.js";

export type Row = Record<string, unknown> & { seq: number; leaf_hash: Buffer; chain_hash: Buffer; payload: string };

export interface SeededLog {
  name: string;
  id: number;
  origin: string;
}

/** A log `name` of `size` mixed entries (kinds, outcomes, tags, non-ASCII payloads). */
export async function seedLog(writer: Sql, name: string, size: number, options: { tenant?: string } = {}): Promise<SeededLog> {
  const origin = `test.example/${name}`;
  const log = await createLog(writer, name, { origin, ...(options.tenant ? { tenant: options.tenant } : {}) });
  await appendEntries(writer, name, 0, size);
  return { name, id: log.id, origin };
}

/** Appends `count` entries numbered from `from` to log `name`, in batches of 50. */
export async function appendEntries(writer: Sql, name: string, from: number, count: number): Promise<void> {
  const appender = new Appender(writer);
  for (let done = 0; done < count; done += 50) {
    await appender.append(name, Array.from({ length: Math.min(50, count - done) }, (_, k) => {
      const i = from + done + k;
      return {
        kind: i % 3 ? "deploy" : "access", actor: `user-${i % 5}`, action: "act", resource: `res/${i}`,
        outcome: i % 7 ? ("success" as const) : ("failure" as const), tags: ["prod"], payload: { n: i, text: "héllo\n\tworld" },
      };
    }));
  }
}

export async function rows(sql: Sql, logId: number): Promise<Row[]> {
  return sql<Row[]>`select * from entries where log_id = ${logId} order by seq`;
}

/** What an attacker who knows the scheme computes for a row it forges. */
export function forgedLeaf(origin: string, r: Row, seq: number): Uint8Array {
  return entryLeafHash({
    log: origin, seq, kind: r.kind as string, actor: r.actor as string, action: r.action as string,
    resource: r.resource as string, outcome: r.outcome as "success", source: r.source as string,
    occurredAt: (r.occurred_at as Date).toISOString(), recordedAt: (r.recorded_at as Date).toISOString(),
    tags: r.tags as string[], payloadHash: sha256(r.payload),
  });
}

/** Rewrite every hash of the log, and every stored node, so the log is self-consistent. */
export async function recomputeAll(tx: Sql, logId: number, origin: string): Promise<void> {
  const all = await rows(tx, logId);
  let chain = GENESIS_CHAIN_HASH;
  const leaves: Uint8Array[] = [];
  for (const r of all) {
    const leaf = forgedLeaf(origin, r, r.seq);
    chain = chainHash(chain, leaf);
    leaves.push(leaf);
    await tx`update entries set payload_hash = ${Buffer.from(sha256(r.payload))}, leaf_hash = ${Buffer.from(leaf)}, chain_hash = ${Buffer.from(chain)}
             where log_id = ${logId} and seq = ${r.seq}`;
  }
  await tx`delete from merkle_nodes where log_id = ${logId}`;
  for (const n of appendToFrontier([], 0, leaves).nodes) {
    await tx`insert into merkle_nodes (log_id, level, idx, hash) values (${logId}, ${n.level}, ${n.index}, ${Buffer.from(n.hash)})`;
  }
}

/** Moves the entry at `a` to `b` and back (a swap), through a free seq. */
export async function swapEntries(tx: Sql, logId: number, a: number, b: number): Promise<void> {
  await tx`update entries set seq = 1000000 where log_id = ${logId} and seq = ${a}`;
  await tx`update entries set seq = ${a} where log_id = ${logId} and seq = ${b}`;
  await tx`update entries set seq = ${b} where log_id = ${logId} and seq = 1000000`;
}

/** Slips a forged entry (hashes computed) in at `at`, renumbering the ones after it. */
export async function insertForged(tx: Sql, log: SeededLog, at: number): Promise<void> {
  const all = await rows(tx, log.id);
  const template = { ...all[at]!, actor: "mallory", payload: `{"forged":true}` } as Row;
  await tx`update entries set seq = seq + 100000 where log_id = ${log.id} and seq >= ${at}`;
  await tx`update entries set seq = seq - 99999 where log_id = ${log.id} and seq >= 100000`;
  const leaf = forgedLeaf(log.origin, template, at);
  const chain = chainHash(all[at - 1]!.chain_hash, leaf);
  await tx`insert into entries (log_id, seq, kind, actor, action, resource, outcome, source, occurred_at, recorded_at, tags, payload, payload_hash, leaf_hash, chain_hash, idempotency_key)
    values (${log.id}, ${at}, ${template.kind as string}, 'mallory', ${template.action as string}, ${template.resource as string}, ${template.outcome as string}, ${template.source as string},
            ${template.occurred_at as Date}, ${template.recorded_at as Date}, ${template.tags as string[]}, ${template.payload}, ${Buffer.from(sha256(template.payload))},
            ${Buffer.from(leaf)}, ${Buffer.from(chain)}, 'forged')`;
}
