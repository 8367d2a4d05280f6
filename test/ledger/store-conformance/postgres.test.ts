/**
 * The PostgreSQL store against the conformance suite, in a fresh ledger schema, as
 * sealtrail_writer (the role the services append with). Its append-only rows are enforced by
 * the database: the writer holds no UPDATE or DELETE grant, and triggers refuse them to every
 * role (schema/migrations/0001_protection.sql).
 */
import { freshLedger } from "../../support/ledger.js";
import { describeLedgerStore, type ProtectedRows } from "./conformance.js";

const TABLE: Record<ProtectedRows, { table: string; column: string; set: string }> = {
  log: { table: "logs", column: "id", set: "tenant = 'mallory'" },
  entries: { table: "entries", column: "log_id", set: "actor = 'mallory'" },
  nodes: { table: "merkle_nodes", column: "log_id", set: "hash = sha256(hash)" },
  checkpoints: { table: "checkpoints", column: "log_id", set: "note = 'forged'" },
};

describeLedgerStore("PostgreSQL", async () => {
  const ledger = await freshLedger("store_conformance");
  return {
    store: ledger.store,
    tamper: (rows, logId) => {
      const { table, column, set } = TABLE[rows];
      return [
        ledger.writer.unsafe(`update ${table} set ${set} where ${column} = $1`, [logId]),
        ledger.writer.unsafe(`delete from ${table} where ${column} = $1`, [logId]),
      ];
    },
    snapshot: async (logId) => {
      const [row] = await ledger.admin`select
        (select json_agg(t) from logs t where id = ${logId}) as log,
        (select json_agg(t order by seq) from entries t where log_id = ${logId}) as entries,
        (select json_agg(t order by level, idx) from merkle_nodes t where log_id = ${logId}) as nodes,
        (select json_agg(t order by size) from checkpoints t where log_id = ${logId}) as checkpoints`;
      return JSON.stringify(row);
    },
    close: () => ledger.close(),
  };
});
