/**
 * The console's one way to the server: POST /graphql on the same origin, with the session
 * cookie (the browser sends it; no script can read it). No token is ever held in the page.
 */
import { print } from "@0no-co/graphql.web";
import type { TadaDocumentNode } from "gql.tada";

/** A request that did not give data: the server's error code and message, or the network's. */
export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called when the server says the session ended (signed out elsewhere, expired, key revoked). */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/**
 * The document's data, or ApiFailure. A 401 tells the onSignedOut listeners, unless
 * `announceSignOut` is false (a request made before the session is known: prefetch.ts).
 */
export async function request<R, V>(document: TadaDocumentNode<R, V>, variables: V, signal?: AbortSignal, announceSignOut = true): Promise<R> {
  let res: Response;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
      body: JSON.stringify({ query: print(document), variables }),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiFailure("NETWORK", "The server did not answer. Check your connection, then retry.", 0);
  }
  let body: { data?: R | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new ApiFailure("BAD_RESPONSE", `The server answered ${res.status} without a GraphQL result. Retry; if it persists, tell your administrator.`, res.status);
  }
  const first = body.errors?.[0];
  if (res.status === 401 || first?.extensions?.code === "UNAUTHENTICATED") {
    if (announceSignOut) for (const listener of signedOutListeners) listener();
    throw new ApiFailure("UNAUTHENTICATED", first?.message ?? "Your session ended: sign in again.", 401);
  }
  if (first || !body.data) {
    throw new ApiFailure(first?.extensions?.code ?? "ERROR", first?.message ?? `The server answered ${res.status}.`, res.status);
  }
  return body.data;
}

/** Something the link names that the tenant does not have (whose it may be is never said). */
export class Missing extends Error {}

/** An unknown log is answered BAD_USER_INPUT by the API: to the page, it is simply not there. */
export const isUnknownLog = (error: unknown) => error instanceof ApiFailure && error.code === "BAD_USER_INPUT" && /no log named/i.test(error.message);

/** What an error means to the person looking at the page, and what to do about it. */
export function explain(error: unknown): { title: string; detail: string } {
  if (error instanceof Missing) return { title: "Not found", detail: `${error.message}. Check the link, or pick from the list.` };
  if (error instanceof ApiFailure) {
    switch (error.code) {
      case "FORBIDDEN":
        return { title: "Not allowed", detail: `${error.message}. Ask your administrator for a key with that scope.` };
      case "NETWORK":
        return { title: "Server unreachable", detail: error.message };
      case "SERVICE_UNAVAILABLE":
        return { title: "Temporarily unavailable", detail: `${error.message}. Retry in a moment.` };
      case "LEDGER_INCONSISTENT":
        return { title: "An entry does not match its hashes", detail: "The server refused to show it: its stored fields no longer match what the log committed to, so it was altered after it was recorded. Report it to your security team; the next integrity sweep records it as tampering." };
      case "BAD_USER_INPUT":
        return { title: "The filter was not accepted", detail: `${error.message}. Change the filter and apply it again.` };
      default:
        return { title: "The request failed", detail: `${error.message} (${error.code}). Retry; if it persists, tell your administrator.` };
    }
  }
  return { title: "Something went wrong", detail: `${(error as Error)?.message ?? String(error)}. Reload the page.` };
}
