import type { ReactNode } from "react";
import { Link, useLocation } from "wouter";
import { useSession, type Who } from "./auth";

const NAV = [
  { href: "/overview", label: "Overview" },
  { href: "/events", label: "Events" },
  { href: "/sessions", label: "Sessions" },
  { href: "/integrity", label: "Integrity" },
  { href: "/packs", label: "Evidence packs" },
] as const;

export function Logo() {
  return (
    <svg aria-hidden="true" viewBox="0 0 32 32" width="26" height="26">
      <rect width="32" height="32" rx="7" fill="#0f3d3e" />
      <path d="M16 6l8 3v6c0 5-3.4 9.3-8 11-4.6-1.7-8-6-8-11V9z" fill="none" stroke="#e8f3f1" strokeWidth="2.2" strokeLinejoin="round" />
      <path d="M12 16l3 3 5-6" fill="none" stroke="#7fd1b9" strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function Shell({ who, children }: { who: Who; children: ReactNode }) {
  const [location] = useLocation();
  const { signOut } = useSession();
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <div className="brand"><Logo /><span>sealtrail</span></div>
        <nav aria-label="Main" className="nav">
          {NAV.map((item) => (
            <Link key={item.href} href={item.href} className={location === item.href ? "active" : ""} aria-current={location === item.href ? "page" : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="who">
          <span className="tenant" title={`Signed in with ${who.method === "sso" ? "single sign-on" : "API key"} ${who.name}; scopes ${who.scopes.join(", ")}`}>
            <span className="muted">Tenant</span> <strong data-testid="tenant">{who.tenant}</strong>
          </span>
          <button type="button" className="btn btn-quiet" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </div>
  );
}
