/**
 * The full-text words of an entry: the search indexer stores them in entry_search, and searches
 * compute them on the fly for entries the indexer has not reached yet. Both must use this one
 * expression, or an entry would match differently before and after it is indexed.
 * 'simple': identifiers, paths and commands are not natural-language words to stem; only the
 * payload's string values count (jsonb_to_tsvector, PostgreSQL docs §9.13), not its keys.
 */
import type postgres from "postgres";
import type { Sql } from "./db.js";

/**
 * The words of the entries row aliased `e`. A `tmux.output` chunk carries its exact bytes as
 * base64 in `data` beside their searchable `text`: the base64 would only fill the index with
 * meaningless tokens, so it is left out.
 *
 * A payload with a NUL in a string (canonical JSON writes it `\u0000`) is one jsonb refuses
 * ("unsupported Unicode escape sequence", PostgreSQL docs §8.14): such entries may be stored
 * (the ledger refuses them since, docs/security.md), and their words are read with each escaped
 * NUL made a space. The escapes are told from a literal backslash followed by "u0000" by taking
 * every escaped backslash (`\\`) out first, as U+0001, which JSON text cannot hold raw (RFC 8259
 * §7), and putting it back after. The test is a substring search: payloads without one pay nothing more.
 */
export function entryWords(sql: Sql, payload: postgres.PendingQuery<postgres.Row[]> = sql`e.payload`): postgres.PendingQuery<postgres.Row[]> {
  const json = payloadJson(sql, payload);
  return sql`jsonb_to_tsvector('simple'::regconfig, case when e.kind = 'tmux.output' and jsonb_typeof(${json}) = 'object' then ${json} - 'data' else ${json} end, '["string"]'::jsonb)`;
}

/** `payload`: the payload text's expression (`e.payload`; over `entries e join logs l`, the clear payload of either leaf format). */
function payloadJson(sql: Sql, payload: postgres.PendingQuery<postgres.Row[]>): postgres.PendingQuery<postgres.Row[]> {
  return sql`(case when strpos(${payload}, ${ESCAPED_NUL}) = 0 then coalesce(${payload}, 'null')
    else replace(replace(replace(${payload}, ${ESCAPED_BACKSLASH}, chr(1)), ${ESCAPED_NUL}, ${ESCAPED_SPACE}), chr(1), ${ESCAPED_BACKSLASH}) end)::jsonb`;
}

const ESCAPED_NUL = String.raw`\u0000`;
const ESCAPED_SPACE = String.raw`\u0020`;
const ESCAPED_BACKSLASH = String.raw`\\`;

/** A web-search-syntax query (words, "phrases", -not, or) in the same configuration. */
export function searchQuery(sql: Sql, text: string): postgres.PendingQuery<postgres.Row[]> {
  return sql`websearch_to_tsquery('simple'::regconfig, ${text})`;
}
