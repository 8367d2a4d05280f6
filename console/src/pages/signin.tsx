import { type FormEvent, useEffect, useState } from "react";
import { useSession } from "../auth";
import { Logo } from "../layout";
import { ssoErrorMessage } from "./sso-errors";

/** A refused single sign-on comes back as /?sso_error=CODE: read once, then dropped from the address. */
function takeSsoError(): string | undefined {
  const params = new URLSearchParams(window.location.search);
  const code = params.get("sso_error");
  if (!code) return undefined;
  params.delete("sso_error");
  const rest = params.toString();
  window.history.replaceState(null, "", `${window.location.pathname}${rest ? `?${rest}` : ""}`);
  return ssoErrorMessage(code);
}

/** Back from the identity provider after a sign-out that ended the session there too: /?sso_signed_out=1. */
function takeSignedOutAtProvider(): boolean {
  const params = new URLSearchParams(window.location.search);
  if (params.get("sso_signed_out") !== "1") return false;
  params.delete("sso_signed_out");
  const rest = params.toString();
  window.history.replaceState(null, "", `${window.location.pathname}${rest ? `?${rest}` : ""}`);
  return true;
}

export function SignIn({ reason }: { reason?: string | undefined }) {
  const { signIn } = useSession();
  const [token, setToken] = useState("");
  const [error, setError] = useState<string>();
  const [ssoError] = useState(takeSsoError);
  const [outAtProvider] = useState(takeSignedOutAtProvider);
  const [sso, setSso] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    fetch("/auth/sso", { credentials: "same-origin" })
      .then(async (res) => setSso(res.ok && ((await res.json()) as { enabled?: boolean }).enabled === true))
      .catch(() => setSso(false));
  }, []);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!token.trim()) return setError("Paste an API key to sign in.");
    setBusy(true);
    const failed = await signIn(token);
    setBusy(false);
    if (failed) setError(failed);
    else setToken("");
  }
  return (
    <main className="signin">
      <div className="signin-card">
        <div className="signin-brand"><Logo /><span>sealtrail</span></div>
        <h1>Sign in to the console</h1>
        <p className="muted">Every page you open here is recorded in your tenant's audit log.</p>
        {outAtProvider ? <p className="notice" role="status" data-testid="signed-out">You are signed out of the console and of your identity provider.</p> : reason ? <p className="notice" role="status">{reason}</p> : null}
        {ssoError ? <div className="field-error" role="alert" data-testid="sso-error">{ssoError}</div> : null}
        {sso ? (
          <>
            <a className="btn btn-primary btn-block btn-link" href="/auth/sso/login">Sign in with SSO</a>
            <div className="help">Your organisation's identity provider decides your tenant and permissions.</div>
            <div className="signin-or" aria-hidden="true"><span>or with an API key</span></div>
          </>
        ) : null}
        <form onSubmit={submit} noValidate>
          <label htmlFor="token">API key</label>
          <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} placeholder="sealtrail_…" value={token} onChange={(e) => setToken(e.target.value)} aria-describedby={error ? "signin-error" : "token-help"} aria-invalid={error ? true : undefined} />
          <div id="token-help" className="help">The key is exchanged for a session cookie; the page never stores it.</div>
          {error ? <div id="signin-error" className="field-error" role="alert">{error}</div> : null}
          <button className={`btn btn-block ${sso ? "" : "btn-primary"}`} type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
        </form>
      </div>
    </main>
  );
}
