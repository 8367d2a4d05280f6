import { useCallback, useEffect, useState } from "react";
import type { TadaDocumentNode } from "gql.tada";
import { request } from "../api";

export type QueryState<R> = { status: "loading" } | { status: "error"; error: unknown } | { status: "done"; data: R };

/** Runs a query when its variables change (compared as JSON); `reload` runs it again. */
export function useQuery<R, V>(document: TadaDocumentNode<R, V>, variables: V, skip = false) {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<QueryState<R>>({ status: "loading" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (skip) return;
    const abort = new AbortController();
    setState({ status: "loading" });
    request(document, JSON.parse(key) as V, abort.signal).then(
      (data) => setState({ status: "done", data }),
      (error) => {
        if ((error as Error).name !== "AbortError") setState({ status: "error", error });
      },
    );
    return () => abort.abort();
  }, [document, key, round, skip]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { state, reload };
}
