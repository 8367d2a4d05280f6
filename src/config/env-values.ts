/** Parsers of single environment values, shared by the settings' loaders. */
import { ConfigError } from "./config-error.js";

export function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError("ENV_INVALID", `${name}: got ${JSON.stringify(text)}, want a positive integer`);
  return n;
}

export function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new ConfigError("ENV_INVALID", `${name}: got ${JSON.stringify(text)}, want true or false`);
}
