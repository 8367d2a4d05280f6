/**
 * Statements reading the tmux.output entries a pane's replay is rebuilt from. A v2 log's
 * payloads are in entry_secrets (docs/leaf-format.md); an erased one is gone, and with it which
 * pane it belonged to: such chunks are found by kind and ledger position (erasedOutput).
 */
import type { ErasedOutputRow, PaneStreamRow } from "../store.js";
import type { Sql } from "./db.js";

/** The clear payload of `entries e join logs l` whatever the leaf format. */
function payloadOf(sql: Sql) {
  return sql`coalesce(e.payload, case when l.leaf_version = 2 then (select s.value from entry_secrets s where s.log_id = e.log_id and s.seq = e.seq and s.field = 2) end)`;
}

export async function paneStreams(sql: Sql, log: string, session: string, pane?: string): Promise<PaneStreamRow[]> {
  const rows = await sql<(Omit<PaneStreamRow, "firstUs"> & { firstUs: string })[]>`
    select p->>'server' as server, p->>'pane' as pane, min(p->>'session') as session,
           min((p->>'timeUs')::bigint)::text as "firstUs", count(*)::int as chunks,
           max((p->>'width')::int) as width, max((p->>'height')::int) as height
    from (select ${payloadOf(sql)}::jsonb as p from entries e join logs l on l.id = e.log_id
          where l.name = ${log} and e.kind = 'tmux.output') c
    where (p->>'session' = ${session} or p->>'sessionId' = ${session})
      ${pane ? sql`and p->>'pane' = ${pane}` : sql``}
    group by 1, 2 order by min((p->>'timeUs')::bigint)`;
  return rows.map((r) => ({ ...r, firstUs: Number(r.firstUs) }));
}

export async function* paneChunks(sql: Sql, log: string, server: string, pane: string): AsyncGenerator<{ seq: number; payload: string }[]> {
  const cursor = sql<{ seq: number; payload: string }[]>`
    select c.seq, c.payload from (
      select e.seq, ${payloadOf(sql)} as payload from entries e join logs l on l.id = e.log_id
      where l.name = ${log} and e.kind = 'tmux.output') c
    where c.payload::jsonb->>'server' = ${server} and c.payload::jsonb->>'pane' = ${pane}
    order by (c.payload::jsonb->>'seq')::bigint`.cursor(64);
  for await (const rows of cursor) yield rows;
}

/** The tmux.output entries of log `log` with seq in [from, to) whose payload was removed, with the record that removed it. */
export async function erasedOutput(sql: Sql, log: string, from: number, to: number): Promise<ErasedOutputRow[]> {
  return sql<ErasedOutputRow[]>`
    select m.seq, m.record_seq as "recordSeq", r.kind as "recordKind", rp.value as "recordPayload"
    from entry_removals m
    join logs l on l.id = m.log_id and l.name = ${log}
    join entries e on e.log_id = m.log_id and e.seq = m.seq and e.kind = 'tmux.output'
    left join entries r on r.log_id = m.log_id and r.seq = m.record_seq
    left join entry_secrets rp on rp.log_id = m.log_id and rp.seq = m.record_seq and rp.field = 2
    where m.field = 2 and m.seq >= ${from} and m.seq < ${to}
    order by m.seq`;
}
