/**
 * What a GraphQL-over-HTTP request carries, taken as sent or refused: never altered. Node would
 * decode ill-formed UTF-8 as U+FFFD (in the body and in percent-escapes of the query string),
 * and JSON.parse would read 12345678901234567891 as 12345678901234567000; either would put
 * text or numbers into the ledger that the client did not send (docs/security.md, "Input is
 * kept exactly or refused").
 */
import { checkExactJson, strictUtf8 } from "../core/encoding/index.js";

export type ReadRequest = { body: unknown } | { refused: string };

const JSON_TYPE = /^application\/(graphql-response\+)?json\b/i;

/** The body Apollo is handed (parsed JSON for a JSON POST), or why the request is refused. */
export function readRequest(method: string, contentType: string | undefined, raw: Buffer, url: URL): ReadRequest {
  const refusedQuery = checkQueryString(url.search);
  if (refusedQuery) return { refused: refusedQuery };
  const text = strictUtf8(raw);
  if (text === undefined) return { refused: "the request body is not UTF-8 text (RFC 3629): ill-formed bytes are refused, not replaced" };
  if (method !== "POST" || !JSON_TYPE.test(contentType ?? "")) return { body: text };
  if (raw.length === 0) return { body: undefined };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { refused: "the request body is not valid JSON" };
  }
  const inexact = inexactIn(text, "the request body");
  return inexact === undefined ? { body } : { refused: inexact };
}

/** Why JSON text is refused for what JSON.parse would not keep exactly (a number, a repeated member name), or undefined. */
export function inexactIn(json: string, where: string): string | undefined {
  try {
    checkExactJson(json, where);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Each name and value of the query string decodes to UTF-8 text (URLSearchParams would put
 * U+FFFD in place of a bad escape), and the JSON ones (variables, extensions) hold only exact
 * numbers.
 */
function checkQueryString(search: string): string | undefined {
  if (search.length <= 1) return undefined;
  for (const pair of search.slice(1).split("&")) {
    const eq = pair.indexOf("=");
    const [name, value] = eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
    let decodedName: string;
    let decoded: string;
    try {
      decodedName = decodeURIComponent(name.replaceAll("+", " "));
      decoded = decodeURIComponent(value.replaceAll("+", " "));
    } catch {
      return "the query string is not UTF-8 text (RFC 3986 percent-escapes of RFC 3629 UTF-8): ill-formed bytes are refused, not replaced";
    }
    if (decodedName === "variables" || decodedName === "extensions") {
      const inexact = isJson(decoded) ? inexactIn(decoded, decodedName) : undefined;
      if (inexact !== undefined) return inexact;
    }
  }
  return undefined;
}

/** Text that is not JSON is left to Apollo, which refuses it. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
