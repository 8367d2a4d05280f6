/**
 * What the first screen needs, asked for as the entry module starts, before React renders: the
 * session check and, when the address is an Events page, its page's code and its first page of
 * entries, all at once instead of one after the other (session → page code → query).
 */
import { startFirstPage } from "./events/first-page";

export type SessionAnswer = { ok: true; who: unknown } | { ok: false; offline: boolean };

/** The session check's answer, read once and shared. */
export const sessionCheck: Promise<SessionAnswer> = fetch("/auth/session", { credentials: "same-origin" }).then(
  async (res) => (res.ok ? { ok: true as const, who: (await res.json()) as unknown } : { ok: false as const, offline: false }),
  () => ({ ok: false as const, offline: true }),
);

/** The Events page's code, loaded once (each page is split from the entry: React.lazy in main.tsx). */
let eventsModule: Promise<typeof import("./pages/events")> | undefined;
export const loadEventsPage = () => (eventsModule ??= import("./pages/events"));

if (window.location.pathname === "/events") {
  void loadEventsPage();
  startFirstPage(window.location.search);
}
