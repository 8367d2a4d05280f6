/**
 * An entry's clear values whatever its leaf format (docs/leaf-format.md): v1 keeps them in the
 * entries row; v2 in entry_secrets (actor 0, resource 1, payload 2), gone once erased or
 * expired. For queries over `entries e join logs l`.
 */
import type postgres from "postgres";
import type { Sql } from "./db.js";

/** The left joins of entry_secrets as a, r and p (only for v2 logs). */
export function secretJoins(sql: Sql): postgres.PendingQuery<postgres.Row[]> {
  return sql`
    left join entry_secrets a on l.leaf_version = 2 and a.log_id = e.log_id and a.seq = e.seq and a.field = 0
    left join entry_secrets r on l.leaf_version = 2 and r.log_id = e.log_id and r.seq = e.seq and r.field = 1
    left join entry_secrets p on l.leaf_version = 2 and p.log_id = e.log_id and p.seq = e.seq and p.field = 2`;
}

/** The clear value of `column` (joined as `alias`): '' for a removed actor or resource, NULL for a removed payload. */
export function clearValue(sql: Sql, column: "actor" | "resource" | "payload", alias: "a" | "r" | "p"): postgres.PendingQuery<postgres.Row[]> {
  const removed = column === "payload" ? sql`null` : sql`''`;
  return sql`(case when l.leaf_version = 2 then coalesce(${sql(alias)}.value, ${removed}) else ${sql("e")}.${sql(column)} end)`;
}
