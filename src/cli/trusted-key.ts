import { rawPublicKey } from "../core/note/index.js";
import { loadSigningKey, loadTrustedPublicKey } from "../ledger/index.js";
import type { Cli } from "./context.js";

/**
 * The Ed25519 public key checkpoints are trusted under: the given vkey or key file, else
 * SEALTRAIL_VERIFIER_KEY, else the public half of SEALTRAIL_SIGNING_KEY; undefined when none
 * is configured. A configured key that cannot be read is an error, never silently skipped.
 */
export async function trustedPublicKey(cli: Cli, given?: string): Promise<Uint8Array | undefined> {
  const source = given ?? cli.config.verifierKey;
  if (source !== undefined) return loadTrustedPublicKey(source);
  return signingPublicKey(cli);
}

/** The public half of SEALTRAIL_SIGNING_KEY, the key this installation signs checkpoints with. */
export async function signingPublicKey(cli: Cli): Promise<Uint8Array | undefined> {
  if (cli.config.signingKeyPath === undefined) return undefined;
  return rawPublicKey(await loadSigningKey(cli.config.signingKeyPath));
}
