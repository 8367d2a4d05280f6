/**
 * Statements reading recorded tmux sessions for the console: a session is the lifecycle,
 * command and output entries of one tmux server run (payload `server`) and session name in
 * one log (its panes: those with output or commands; lifecycle records may name the server's
 * other panes); a pane's recording is its output chunks in chunk seq order beside its commands.
 * Reads go through the caller's connection, so row-level security decides what is visible.
 */
import type { StoredEntry, TmuxSessionRow } from "../store.js";
import { COLUMNS } from "./entry-rows.js";
import type { Sql } from "./db.js";

const KINDS = ["tmux.session", "tmux.command", "tmux.output"];

export async function tmuxSessions(sql: Sql, logIds: number[] | undefined, limit: number): Promise<TmuxSessionRow[]> {
  // A redacted payload (null) names no session; a command recorded outside tmux names no server.
  return sql<TmuxSessionRow[]>`
    select l.name as log, x.p->>'server' as server, coalesce(x.p->>'session', '') as session,
           min(x.p->>'sessionId') as "sessionId", min(x.p->>'host') as host, coalesce(min(e.actor), '') as "user",
           min(e.occurred_at) as "startedAt", max(e.occurred_at) as "lastAt",
           bool_or(e.kind = 'tmux.session' and e.action = 'session.close') as closed,
           coalesce(array_agg(distinct x.p->>'pane') filter (where x.p->>'pane' is not null and e.kind <> 'tmux.session'), '{}') as panes,
           (count(*) filter (where e.kind = 'tmux.command'))::int as commands,
           (count(*) filter (where e.kind = 'tmux.output'))::int as chunks
    from entries e join logs l on l.id = e.log_id
    cross join lateral (select e.payload::jsonb as p) x
    where e.kind = any(${KINDS}::text[]) and e.payload is not null and x.p->>'server' is not null
      ${logIds ? sql`and e.log_id = any(${logIds}::int[])` : sql``}
    group by l.name, x.p->>'server', coalesce(x.p->>'session', '')
    order by min(e.occurred_at) desc, 1, 2, 3
    limit ${limit}`;
}

export async function paneRecording(sql: Sql, logId: number, server: string, pane: string, limit: number): Promise<{ chunks: StoredEntry[]; commands: StoredEntry[] }> {
  const chunks = await sql<StoredEntry[]>`
    select ${COLUMNS(sql)} from entries e join logs l on l.id = e.log_id
    where e.log_id = ${logId}::int and e.kind = 'tmux.output' and e.payload is not null
      and e.payload::jsonb->>'server' = ${server} and e.payload::jsonb->>'pane' = ${pane}
    order by (e.payload::jsonb->>'seq')::bigint, e.seq
    limit ${limit}`;
  const commands = await sql<StoredEntry[]>`
    select ${COLUMNS(sql)} from entries e join logs l on l.id = e.log_id
    where e.log_id = ${logId}::int and e.kind = 'tmux.command' and e.payload is not null
      and e.payload::jsonb->>'server' = ${server} and e.payload::jsonb->>'pane' = ${pane}
    order by e.occurred_at, e.seq
    limit ${limit}`;
  return { chunks, commands };
}
