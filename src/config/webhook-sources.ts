/**
 * The configured webhook sources: SEALTRAIL_WEBHOOK_SOURCES, a JSON object from source name
 * (the `:source` of `POST /hooks/:source`) to
 *   { "format": "github" | "signed", "log": "<log name>", "secret": "<text>" | "secretEnv": "<VAR>",
 *     "toleranceSeconds": 300 }
 * `secretEnv` names another environment variable holding the secret, so the JSON itself can
 * live in a file or a manifest without it. Each source has its own secret (a leaked one
 * forges only that source's events) and writes to one log. Either may be a list: during a
 * rotation a signature under any of them is accepted.
 */
import { RESERVED_NAME_PREFIX } from "../core/entry/index.js";
export type WebhookFormat = "github" | "signed";

export interface WebhookSource {
  name: string;
  format: WebhookFormat;
  log: string;
  /** One, or several while a secret is being rotated. */
  secrets: Buffer[];
  /** signed: largest difference between the sender's timestamp and our clock. */
  toleranceSeconds: number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;
/** A secret shorter than this is refused: an HMAC is only as strong as its key. */
export const MIN_SECRET_LENGTH = 16;
const NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const FORMATS: readonly WebhookFormat[] = ["github", "signed"];

/** Throws Error naming the bad field; the caller reports it as a configuration error. */
export function parseWebhookSources(text: string | undefined, env: NodeJS.ProcessEnv): ReadonlyMap<string, WebhookSource> {
  const sources = new Map<string, WebhookSource>();
  if (text === undefined || text.trim() === "") return sources;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("want a JSON object of source name → { format, log, secret }");
  for (const [name, value] of Object.entries(parsed)) {
    const at = `source ${JSON.stringify(name)}`;
    if (!NAME.test(name)) throw new Error(`${at}: want a name of lower-case letters, digits, _ and - (at most 40)`);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${at}: want an object`);
    const { format, log, secret, secretEnv, toleranceSeconds, ...rest } = value as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new Error(`${at}: unknown field ${JSON.stringify(unknown[0])}`);
    if (!FORMATS.includes(format as WebhookFormat)) throw new Error(`${at}: format: got ${JSON.stringify(format)}, want ${FORMATS.join(" or ")}`);
    if (typeof log !== "string" || log === "") throw new Error(`${at}: log: want a log name`);
    if (log.startsWith(RESERVED_NAME_PREFIX)) throw new Error(`${at}: log: ${JSON.stringify(log)} is kept by the ledger; sources cannot write to it`);
    if ((secret === undefined) === (secretEnv === undefined)) throw new Error(`${at}: want exactly one of secret and secretEnv`);
    const list = (value: unknown) => (Array.isArray(value) ? value : [value]);
    let secretTexts: unknown[] = list(secret);
    if (secretEnv !== undefined) {
      secretTexts = list(secretEnv).map((name) => {
        if (typeof name !== "string" || name === "") throw new Error(`${at}: secretEnv: want the name of an environment variable, or a list of them`);
        const value = env[name];
        if (value === undefined || value === "") throw new Error(`${at}: secretEnv: ${name} is not set`);
        return value;
      });
    }
    if (secretTexts.length === 0) throw new Error(`${at}: secret: want at least one`);
    for (const text of secretTexts) {
      if (typeof text !== "string" || text.length < MIN_SECRET_LENGTH) throw new Error(`${at}: secret: want at least ${MIN_SECRET_LENGTH} characters`);
    }
    let tolerance = DEFAULT_TOLERANCE_SECONDS;
    if (toleranceSeconds !== undefined) {
      if (format !== "signed") throw new Error(`${at}: toleranceSeconds applies to the signed format only (GitHub sends no timestamp)`);
      if (!Number.isInteger(toleranceSeconds) || (toleranceSeconds as number) < 1 || (toleranceSeconds as number) > 3600) throw new Error(`${at}: toleranceSeconds: want 1–3600`);
      tolerance = toleranceSeconds as number;
    }
    sources.set(name, { name, format: format as WebhookFormat, log, secrets: (secretTexts as string[]).map((text) => Buffer.from(text, "utf8")), toleranceSeconds: tolerance });
  }
  return sources;
}
