/**
 * The Events page's first page of entries, asked for as the console starts (prefetch.ts) rather
 * than once the page's code has loaded and rendered: the page takes the answer if its filter is
 * the one asked for, else asks again.
 */
import { ApiFailure, request } from "../api";
import type { ResultOf } from "../graphql";
import { EVENTS_PAGE, EventsPageQuery } from "./documents";
import { parseQuery, toFilter } from "./url-query";

type Answer = Promise<ResultOf<typeof EventsPageQuery>>;
let first: { key: string; answer: Answer } | undefined;

/** Asks for the first page of the Events address `search` (its query string). */
export function startFirstPage(search: string): void {
  const filter = toFilter(parseQuery(search));
  // Sent before the session is known: a 401 here says nothing yet (the session check does).
  const answer = request(EventsPageQuery, { filter, first: EVENTS_PAGE }, undefined, false);
  // Not taken (signed out, another filter): its failure is nobody's to report.
  answer.catch(() => undefined);
  first = { key: JSON.stringify(filter), answer };
}

/**
 * The page asked for at start, once, if `key` (the filter as JSON) is its filter. Asked before
 * the person signed in (the sign-in page came first), it was refused: it is asked again.
 */
export function takeFirstPage(key: string, signal: AbortSignal): Answer | undefined {
  if (!first || first.key !== key) return undefined;
  const { answer } = first;
  first = undefined;
  return answer.catch((error: unknown) => {
    if (error instanceof ApiFailure && error.code === "UNAUTHENTICATED") return request(EventsPageQuery, { filter: JSON.parse(key) as ReturnType<typeof toFilter>, first: EVENTS_PAGE }, signal);
    throw error;
  });
}
