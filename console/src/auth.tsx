/**
 * The signed-in state. Sign-in exchanges an API key for an HttpOnly session cookie at
 * /auth/session; the key is sent once and dropped from memory. Sign-out revokes the session on
 * the server (and, for single sign-on, at the identity provider when it offers that). A 401 from
 * any request returns to the sign-in page.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { onSignedOut } from "./api";
import { sessionCheck } from "./prefetch";

export interface Who {
  tenant: string;
  name: string;
  scopes: string[];
  method: "api-key" | "sso";
}

type SessionState = { status: "checking" } | { status: "signed-out"; reason?: string } | { status: "signed-in"; who: Who };

interface SessionApi {
  state: SessionState;
  signIn(token: string): Promise<string | undefined>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error("useSession outside SessionProvider");
  return api;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "checking" });
  useEffect(() => {
    // Asked for as the console started (prefetch.ts), beside the first page's data.
    void sessionCheck.then((answer) =>
      answer.ok ? setState({ status: "signed-in", who: answer.who as Who })
        : setState(answer.offline ? { status: "signed-out", reason: "The server did not answer. Check your connection and reload." } : { status: "signed-out" }));
    return onSignedOut(() => setState({ status: "signed-out", reason: "Your session ended. Sign in again." }));
  }, []);
  const signIn = useCallback(async (token: string) => {
    let res: Response;
    try {
      res = await fetch("/auth/session", { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: token.trim() }) });
    } catch {
      return "The server did not answer. Check your connection and try again.";
    }
    const body = (await res.json().catch(() => ({}))) as Partial<Who> & { message?: string };
    if (!res.ok) return res.status === 401 ? "That API key is unknown or revoked. Check it, or ask your administrator for a new one." : (body.message ?? `Sign-in failed (${res.status}).`);
    setState({ status: "signed-in", who: body as Who });
    return undefined;
  }, []);
  const signOut = useCallback(async () => {
    const res = await fetch("/auth/session", { method: "DELETE", credentials: "same-origin" }).catch(() => undefined);
    // A single sign-on session goes on to end at the identity provider too, when it offers that
    // (OpenID Connect RP-Initiated Logout): the server has already ended ours and names the address.
    const next = res?.status === 200 ? ((await res.json().catch(() => ({}))) as { endSessionUrl?: unknown }).endSessionUrl : undefined;
    if (typeof next === "string" && /^https?:\/\//.test(next)) return window.location.assign(next);
    setState({ status: "signed-out", reason: "You are signed out." });
  }, []);
  return <SessionContext.Provider value={{ state, signIn, signOut }}>{children}</SessionContext.Provider>;
}
