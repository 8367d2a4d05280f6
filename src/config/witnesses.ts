/**
 * SEALTRAIL_WITNESSES: the cosigning witnesses (C2SP tlog-witness) every new checkpoint is
 * submitted to, each as its submission URL and its cosigner vkey (C2SP tlog-cosignature, type
 * 0x04), "URL VKEY", entries separated by ";" or newlines. SEALTRAIL_TSA_URL: the RFC 3161
 * time-stamping authority checkpoints are stamped by.
 */
import { type Cosigner, parseCosignerVkey } from "../core/cosign/index.js";
import { ConfigError } from "./config-error.js";

export interface WitnessSetting {
  url: string;
  cosigner: Cosigner;
}

function httpUrl(name: string, text: string): string {
  let protocol = "";
  try {
    protocol = new URL(text).protocol;
  } catch {
    // reported below
  }
  if (protocol !== "http:" && protocol !== "https:") throw new ConfigError("ENV_INVALID", `${name}: got ${JSON.stringify(text)}, want an http(s) URL`);
  return text;
}

export function loadWitnesses(env: NodeJS.ProcessEnv): WitnessSetting[] {
  const text = env.SEALTRAIL_WITNESSES ?? "";
  const witnesses: WitnessSetting[] = [];
  for (const entry of text.split(/[;\n]/).map((e) => e.trim()).filter((e) => e !== "")) {
    const [url = "", vkey = "", ...rest] = entry.split(/\s+/);
    if (vkey === "" || rest.length > 0) throw new ConfigError("ENV_INVALID", `SEALTRAIL_WITNESSES: got ${JSON.stringify(entry)}, want "URL VKEY" entries separated by ";"`);
    let cosigner: Cosigner;
    try {
      cosigner = parseCosignerVkey(vkey);
    } catch (error) {
      throw new ConfigError("ENV_INVALID", `SEALTRAIL_WITNESSES: ${(error as Error).message}`, { cause: error });
    }
    witnesses.push({ url: httpUrl("SEALTRAIL_WITNESSES", url), cosigner });
  }
  if (new Set(witnesses.map((w) => w.cosigner.name)).size !== witnesses.length) {
    throw new ConfigError("ENV_INVALID", "SEALTRAIL_WITNESSES: two witnesses share a name");
  }
  return witnesses;
}

export function loadTsaUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.SEALTRAIL_TSA_URL?.trim();
  return url ? httpUrl("SEALTRAIL_TSA_URL", url) : undefined;
}
