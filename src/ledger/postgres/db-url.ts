/** `postgres://user@host/db?host=/dir` → the URL without `host=` and the socket directory. */
export function splitSocketDir(url: string): { url: string; socketDir: string | undefined } {
  const match = /([?&])host=(%2F[^&]*|\/[^&]*)(&|$)/i.exec(url);
  if (!match) return { url, socketDir: undefined };
  const rest = url.slice(0, match.index) + (match[3] ? match[1] : "") + url.slice(match.index + match[0].length);
  // postgres.js needs a parseable URL: give it a host, which the socket directory overrides.
  return { url: rest.replace(/^(postgres(?:ql)?:\/\/(?:[^@/]*@)?)(\/)/, "$1localhost$2").replace(/[?&]$/, ""), socketDir: decodeURIComponent(match[2]!) };
}
