/** Statements reading the tmux.output entries a pane's replay is rebuilt from. */
import type { PaneStreamRow } from "../store.js";
import type { Sql } from "./db.js";

export async function paneStreams(sql: Sql, log: string, session: string, pane?: string): Promise<PaneStreamRow[]> {
  const rows = await sql<(Omit<PaneStreamRow, "firstUs"> & { firstUs: string })[]>`
    select p->>'server' as server, p->>'pane' as pane, min(p->>'session') as session,
           min((p->>'timeUs')::bigint)::text as "firstUs", count(*)::int as chunks,
           max((p->>'width')::int) as width, max((p->>'height')::int) as height
    from (select e.payload::jsonb as p from entries e join logs l on l.id = e.log_id
          where l.name = ${log} and e.kind = 'tmux.output') c
    where (p->>'session' = ${session} or p->>'sessionId' = ${session})
      ${pane ? sql`and p->>'pane' = ${pane}` : sql``}
    group by 1, 2 order by min((p->>'timeUs')::bigint)`;
  return rows.map((r) => ({ ...r, firstUs: Number(r.firstUs) }));
}

export async function* paneChunks(sql: Sql, log: string, server: string, pane: string): AsyncGenerator<string[]> {
  const cursor = sql<{ payload: string }[]>`
    select e.payload from entries e join logs l on l.id = e.log_id
    where l.name = ${log} and e.kind = 'tmux.output'
      and e.payload::jsonb->>'server' = ${server} and e.payload::jsonb->>'pane' = ${pane}
    order by (e.payload::jsonb->>'seq')::bigint`.cursor(64);
  for await (const rows of cursor) yield rows.map((r) => r.payload);
}
