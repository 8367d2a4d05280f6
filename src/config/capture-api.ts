/**
 * Where tmux capture ships to when it is not Redis: the API, over HTTP(S), with an API key
 * holding events:write. SEALTRAIL_API_URL is the API's base URL (its /graphql is called);
 * the token comes from SEALTRAIL_API_TOKEN or, so that it stays out of the environment of
 * every process, from the file SEALTRAIL_API_TOKEN_FILE names.
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.js";

export interface CaptureApiSetting {
  /** The API's /graphql endpoint. */
  url: string;
  token: string;
}

export function loadCaptureApi(env: NodeJS.ProcessEnv): CaptureApiSetting | undefined {
  const base = env.SEALTRAIL_API_URL;
  if (!base) return undefined;
  let url: URL;
  try {
    url = new URL(base);
  } catch (error) {
    throw new ConfigError("ENV_INVALID", `SEALTRAIL_API_URL: got ${JSON.stringify(base)}, want an http(s) URL`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError("ENV_INVALID", `SEALTRAIL_API_URL: got ${JSON.stringify(base)}, want an http(s) URL`);
  if (!url.pathname.endsWith("/graphql")) url.pathname = `${url.pathname.replace(/\/+$/, "")}/graphql`;
  const inline = env.SEALTRAIL_API_TOKEN;
  const file = env.SEALTRAIL_API_TOKEN_FILE;
  if (inline && file) throw new ConfigError("ENV_INVALID", "SEALTRAIL_API_TOKEN and SEALTRAIL_API_TOKEN_FILE: set one, not both");
  let token = inline;
  if (file) {
    try {
      token = readFileSync(file, "utf8").trim();
    } catch (error) {
      throw new ConfigError("FILE", `SEALTRAIL_API_TOKEN_FILE: ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    }
  }
  if (!token) throw new ConfigError("ENV_INVALID", "SEALTRAIL_API_URL: needs an API key with events:write in SEALTRAIL_API_TOKEN or SEALTRAIL_API_TOKEN_FILE");
  return { url: url.href, token };
}
