/**
 * Console sessions: the browser holds only a random session id in an HttpOnly, SameSite=Strict
 * cookie; what it stands for stays on the server. A session opened with an API key keeps the
 * key's token here and authenticates it again on every request, so revoking the key ends the
 * session at once; a session opened by single sign-on holds the principal its claims mapped to.
 * Signing out forgets the id. Sessions live in the API process's memory: a restart signs
 * everyone out, which fails closed.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Principal } from "../principal.js";

export const SESSION_COOKIE = "sealtrail_session";

/** What a session stands for: an API key's token, or a principal from single sign-on. */
export type SessionGrant = { kind: "api-key"; token: string } | { kind: "sso"; principal: Principal; subject: string; idToken?: string | undefined };

/**
 * What a signed-out SSO session goes on to at the provider (sso-route.ts): its
 * end_session_endpoint's URL, and the cookie holding the state sent with it; undefined for an
 * API-key session, or when the provider advertises no end_session_endpoint (the console's
 * session has ended either way).
 */
export type SignOutAtProvider = (grant: SessionGrant, req: IncomingMessage) => Promise<{ url: URL; cookie: string } | undefined>;

interface Held {
  grant: SessionGrant;
  expiresAt: number;
  idleUntil: number;
}

export interface SessionLimits {
  /** Longest life of a session, whatever its use (ms). */
  maxAgeMs: number;
  /** A session unused this long ends (ms). */
  idleMs: number;
  /** Most sessions held at once; the oldest goes first past it. */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxAgeMs: 8 * 3600_000, idleMs: 30 * 60_000, maxSessions: 10_000 };

export class ConsoleSessions {
  private readonly held = new Map<string, Held>();
  private readonly ended = new Set<(id: string) => void>();

  constructor(private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS, private readonly now: () => number = Date.now) {}

  /** A new session's id: 256 random bits, base64url. */
  open(grant: SessionGrant): string {
    const id = randomBytes(32).toString("base64url");
    const now = this.now();
    this.held.set(id, { grant, expiresAt: now + this.limits.maxAgeMs, idleUntil: now + this.limits.idleMs });
    while (this.held.size > this.limits.maxSessions) this.end(this.held.keys().next().value!);
    return id;
  }

  /**
   * Calls `listener` with the id of each session that ends here (signed out, expired on use,
   * evicted): what rides on it elsewhere (a WebSocket's subscriptions) ends with it. Returns
   * the unsubscribe.
   */
  onEnd(listener: (id: string) => void): () => void {
    this.ended.add(listener);
    return () => this.ended.delete(listener);
  }

  /** True while the session is open, without restarting its idle clock (a periodic check is no use of it). */
  isOpen(id: string): boolean {
    const held = this.held.get(id);
    if (!held) return false;
    const now = this.now();
    if (now < held.expiresAt && now < held.idleUntil) return true;
    this.end(id);
    return false;
  }

  /** The session's grant, its idle clock restarted; undefined when unknown, expired or signed out. */
  use(id: string): SessionGrant | undefined {
    const held = this.held.get(id);
    if (!held) return undefined;
    const now = this.now();
    if (now >= held.expiresAt || now >= held.idleUntil) {
      this.end(id);
      return undefined;
    }
    held.idleUntil = Math.min(held.expiresAt, now + this.limits.idleMs);
    return held.grant;
  }

  /** Signs a session out; what it stood for when it was open (a sign-out by SSO goes on at the provider with it). */
  revoke(id: string): SessionGrant | undefined {
    return this.end(id);
  }

  private end(id: string): SessionGrant | undefined {
    const held = this.held.get(id);
    if (!held) return undefined;
    this.held.delete(id);
    for (const listener of this.ended) listener(id);
    return held.grant;
  }

  get size(): number {
    return this.held.size;
  }
}

/** The session id of a Cookie header, if it carries one of the right shape. */
export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

/**
 * The Set-Cookie value of a session: HttpOnly (no script reads it), SameSite=Strict (no other
 * site's page sends it: the first defence against CSRF), Secure when served over HTTPS.
 */
export function sessionCookie(id: string, secure: boolean, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`;
}
