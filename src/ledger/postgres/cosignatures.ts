/**
 * Statements on witness cosignatures of checkpoints (C2SP tlog-cosignature), stored as the note signature
 * lines the witnesses returned. The note of a checkpoint "as served" is its signed note with
 * these lines appended: any signed-note verifier ignores the lines of keys it does not know.
 */
import type { StoredCosignature as Row } from "../records.js";
import type { Sql } from "./db.js";

export async function saveCosignature(sql: Sql, logId: number, size: number, witness: string, keyId: string, line: string): Promise<void> {
  // A witness cosigns one checkpoint once per request; a repeated request keeps the first line.
  await sql`
    insert into checkpoint_cosignatures (log_id, size, witness, key_id, line)
    values (${logId}, ${size}, ${witness}, ${keyId}, ${line})
    on conflict do nothing`;
}

/** The cosignature lines of the checkpoint at `size`, in the order they were stored. */
export async function cosignaturesAt(sql: Sql, logId: number, size: number): Promise<Row[]> {
  return sql<Row[]>`
    select size, witness, key_id as "keyId", line from checkpoint_cosignatures
    where log_id = ${logId} and size = ${size} order by created_at, witness`;
}

/** The largest checkpoint size `witness` (name and key ID) has cosigned for the log, if any. */
export async function lastCosignedSize(sql: Sql, logId: number, witness: string, keyId: string): Promise<number | undefined> {
  const [row] = await sql<{ size: number }[]>`
    select max(size) as size from checkpoint_cosignatures
    where log_id = ${logId} and witness = ${witness} and key_id = ${keyId}`;
  return row?.size ?? undefined;
}
