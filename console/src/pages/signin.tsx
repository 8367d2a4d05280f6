import { type FormEvent, useState } from "react";
import { useSession } from "../auth";
import { Logo } from "../layout";

export function SignIn({ reason }: { reason?: string | undefined }) {
  const { signIn } = useSession();
  const [token, setToken] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
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
        {reason ? <p className="notice" role="status">{reason}</p> : null}
        <form onSubmit={submit} noValidate>
          <label htmlFor="token">API key</label>
          <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} placeholder="sealtrail_…" value={token} onChange={(e) => setToken(e.target.value)} aria-describedby={error ? "signin-error" : "token-help"} aria-invalid={error ? true : undefined} />
          <div id="token-help" className="help">The key is exchanged for a session cookie; the page never stores it.</div>
          {error ? <div id="signin-error" className="field-error" role="alert">{error}</div> : null}
          <button className="btn btn-primary btn-block" type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
        </form>
      </div>
    </main>
  );
}
