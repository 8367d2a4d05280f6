/**
 * Populations: which entries of the period belong to a control, stated as the SQL an auditor
 * can run against the ledger to get the same rows, with its parameters. Pure.
 */
import type { PackEntry } from "../core/pack/index.js";
import { toHex } from "../core/encoding/index.js";
import { csvLine } from "./csv.js";
import type { PopulationClause, PopulationLog } from "./exporter.js";

/** An entry's row in a population file (the columns of POPULATION_COLUMNS): written by the builder, re-derived by verify-pack. */
export function populationRow(logName: string, e: PackEntry): string {
  return csvLine([logName, e.seq, e.recordedAt, e.occurredAt, e.kind, e.action, e.actor, e.resource, e.outcome, e.source, e.tags.join(" "), toHex(e.leafHash)]);
}

export function matchesClause(clause: PopulationClause, log: PopulationLog, e: PackEntry): boolean {
  if (clause.log !== log) return false;
  if (clause.kinds && !clause.kinds.includes(e.kind)) return false;
  if (clause.actions && !clause.actions.includes(e.action)) return false;
  if (clause.outcome && e.outcome !== clause.outcome) return false;
  if (clause.tags && !clause.tags.some((t) => e.tags.includes(t))) return false;
  return true;
}

export function matchesPopulation(clauses: readonly PopulationClause[], log: PopulationLog, e: PackEntry): boolean {
  for (const c of clauses) if (matchesClause(c, log, e)) return true;
  return false;
}

/**
 * The population as one SQL statement over the ledger's `entries` and `logs` tables. Its one
 * parameter, $periods, is a table (role, log, first_seq, end_seq) with a row per log of the
 * pack: the seq bounds are those of the period, so the query returns exactly the rows of the
 * population file, in the file's order (the subject logs by name, then the audit log; each in
 * seq order).
 */
export function populationQuery(clauses: readonly PopulationClause[]): string {
  const parts = clauses.map((c) => {
    const cond = [`p.role = '${c.log}'`];
    if (c.kinds) cond.push(`e.kind in (${c.kinds.map(sqlString).join(", ")})`);
    if (c.actions) cond.push(`e.action in (${c.actions.map(sqlString).join(", ")})`);
    if (c.outcome) cond.push(`e.outcome = ${sqlString(c.outcome)}`);
    if (c.tags) cond.push(`e.tags && array[${c.tags.map(sqlString).join(", ")}]`);
    return `(${cond.join(" and ")})`;
  });
  return `select l.name, e.seq from entries e join logs l on l.id = e.log_id join $periods p on p.log = l.name and e.seq >= p.first_seq and e.seq < p.end_seq where ${parts.join(" or ") || "false"} order by p.role = 'audit', l.name collate "C", e.seq`;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
