/**
 * The notices of committed appends: the appender sends pg_notify('sealtrail_appended',
 * 'schema:logId:from:to') inside its transaction, so they arrive after commit and in commit
 * order. Every ledger of the database shares the channel: a listener takes only its own
 * schema's notices (log ids are per schema).
 */
import type { Sql } from "./db.js";

export const APPENDED_CHANNEL = "sealtrail_appended";

export function listenAppends(
  sql: Sql,
  schema: () => Promise<string>,
  onAppend: (notice: { logId: number; from: number; to: number }) => void,
  onConnect: () => void,
): Promise<{ unlisten(): Promise<void> }> {
  let own: string | undefined;
  const ready = schema().then((name) => (own = name));
  return sql.listen(
    APPENDED_CHANNEL,
    (payload) => {
      const match = /^([a-z_][a-z0-9_]*):(\d+):(\d+):(\d+)$/.exec(payload);
      if (!match) return;
      const deliver = () => match[1] === own && onAppend({ logId: Number(match[2]), from: Number(match[3]), to: Number(match[4]) });
      if (own === undefined) void ready.then(deliver, () => {});
      else deliver();
    },
    onConnect,
  );
}

export async function currentSchema(sql: Sql): Promise<string> {
  const [row] = await sql<{ schema: string }[]>`select current_schema() as schema`;
  return row!.schema;
}
