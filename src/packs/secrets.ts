/**
 * Secret detectors for the payloads a pack shows. A payload that matches one is withheld from
 * the pack's events (written as null: its payload_hash, which the leaf commits to, still proves
 * the entry's inclusion) and listed in withheld.json with the rules it matched, so that a
 * password typed in a recorded shell (PGPASSWORD=… psql) does not travel to every recipient of
 * the pack. The rules look for a secret's shape in context (an assignment to a secret-named
 * variable, a credential in a URL, a key block, a known token prefix), not for any long string:
 * hashes and base64 roots in payloads are evidence, not secrets. Pure.
 */

export interface SecretRule {
  id: string;
  /** What it finds, in words, as the pack lists it. */
  description: string;
  pattern: RegExp;
  /**
   * Lowercase strings of which the text holds one, in any ASCII case, whenever the pattern
   * matches it (a test checks each rule's on the texts it finds): a payload that holds no
   * rule's hint is passed without running any pattern, which is what nearly every payload of a
   * period is. None holds a character that a JSON escape other than \u or \/ decodes to
   * (control characters, quote, backslash), so the hints can be sought in the payload as stored.
   */
  hints: readonly string[];
}

/** Characters of a token as commands and headers carry it (no quote, space, & or backslash). */
const TOKEN = String.raw`[^\s"'&\\;,]`;

export const SECRET_RULES: readonly SecretRule[] = [
  { id: "env-secret", description: "an environment assignment to a secret-named variable (PGPASSWORD=…, MYSQL_PWD=…, *_TOKEN=…, *_SECRET=…, *_API_KEY=…)", pattern: new RegExp(String.raw`\b[A-Z][A-Z0-9_]*(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_KEY|ACCESS_KEY)=${TOKEN}{3,}`), hints: ["="] },
  { id: "password-argument", description: "password=, secret=, token= or api_key= with a value, or --password with one, in a command or a query string", pattern: new RegExp(String.raw`(?:(?:^|[\s?&;"'])(?:password|passwd|pwd|secret|token|api[_-]?key)=${TOKEN}{3,})|--password[= ]${TOKEN}{3,}`, "i"), hints: ["=", "--"] },
  { id: "url-credentials", description: "a password in a URL's user information (scheme://user:password@host)", pattern: new RegExp(String.raw`\b[a-z][a-z0-9+.-]*://[^\s/:@"']+:[^\s/@"']{3,}@`, "i"), hints: ["://"] },
  { id: "aws-access-key", description: "an AWS access key id (AKIA… or ASIA…)", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, hints: ["akia", "asia"] },
  { id: "aws-secret-key", description: "an AWS secret access key assigned (aws_secret_access_key = …)", pattern: /aws_secret_access_key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}/i, hints: ["aws_secret_access_key"] },
  { id: "private-key", description: "a PEM private key block (-----BEGIN … PRIVATE KEY-----)", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/, hints: ["private key-----"] },
  { id: "bearer-token", description: "a bearer token (Authorization: Bearer …)", pattern: /\bBearer\s+[A-Za-z0-9\-._~+/]{20,}=*/i, hints: ["bearer"] },
  { id: "token-prefix", description: "a token of a known format (GitHub ghp_/gho_/ghs_/github_pat_, GitLab glpat-, Slack xox?-, Stripe sk_live_, JSON Web Token)", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{20,}|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/, hints: ["gh", "github_pat_", "glpat-", "xox", "sk_live_", "eyj"] },
  { id: "high-entropy-assignment", description: "a high-entropy token (32+ characters mixing upper case, lower case and digits, over 4.5 bits a character) assigned with = in a command", pattern: /=["']?([A-Za-z0-9+/_-]{32,}={0,2})/g, hints: ["="] },
];

/** Bits per character of a string's own character distribution (Shannon). */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length);
  return bits;
}

function highEntropy(token: string): boolean {
  return /[A-Z]/.test(token) && /[a-z]/.test(token) && /[0-9]/.test(token) && entropy(token) > 4.5;
}

/** The ids of the rules a payload (its canonical JSON text, JSON escapes decoded) matches, in SECRET_RULES order. */
export function secretRulesMatched(payload: string): string[] {
  if (!mayHoldSecret(payload)) return [];
  // Matched in the decoded text too, so that a key block's "\n" or an escaped quote do not hide it.
  let text = payload;
  if (payload.includes("\\")) {
    try {
      text = `${payload}\n${decodedStrings(JSON.parse(payload) as unknown).join("\n")}`;
    } catch {
      // Not JSON (a pack never holds such a payload): matched as it stands.
    }
  }
  const out: string[] = [];
  for (const rule of SECRET_RULES) {
    if (rule.pattern.global) {
      rule.pattern.lastIndex = 0;
      for (const m of text.matchAll(rule.pattern)) {
        if (highEntropy(m[1]!)) {
          out.push(rule.id);
          break;
        }
      }
    } else if (rule.pattern.test(text)) out.push(rule.id);
  }
  return out;
}

/** Every rule's hints in one pattern: one scan of the payload. Case-insensitive as /i is without u: ASCII letters only. */
const HINTS = new RegExp([...new Set(SECRET_RULES.flatMap((r) => r.hints))].map((h) => h.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"), "i");

/**
 * False when no rule can match: the payload holds no hint of any rule. Decoding its JSON
 * escapes cannot make a hint either, unless it has a \u escape (any character) or \/ (a
 * slash, as in "://"): the others decode to characters no hint holds.
 */
function mayHoldSecret(payload: string): boolean {
  return payload.includes("\\u") || payload.includes("\\/") || HINTS.test(payload);
}

function decodedStrings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap(decodedStrings);
  if (v !== null && typeof v === "object") return Object.values(v).flatMap(decodedStrings);
  return [];
}

/** Why a payload is not in the pack: the secret rules it matched, or "absent" when the ledger holds no value (erased or expired). */
export interface WithheldPayload {
  log: string;
  seq: number;
  reason: "secret" | "absent";
  rules: string[];
}
