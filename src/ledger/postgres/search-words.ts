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
 */
export function entryWords(sql: Sql): postgres.PendingQuery<postgres.Row[]> {
  return sql`jsonb_to_tsvector('simple'::regconfig, case when e.kind = 'tmux.output' and jsonb_typeof(e.payload::jsonb) = 'object' then e.payload::jsonb - 'data' else coalesce(e.payload, 'null')::jsonb end, '["string"]'::jsonb)`;
}

/** A web-search-syntax query (words, "phrases", -not, or) in the same configuration. */
export function searchQuery(sql: Sql, text: string): postgres.PendingQuery<postgres.Row[]> {
  return sql`websearch_to_tsquery('simple'::regconfig, ${text})`;
}
