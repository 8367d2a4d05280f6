/** Keys: signing keys for checkpoints and packs, API keys for the GraphQL API. */
import type { PageDoc } from "./types.js";

export const KEYS_PAGES: PageDoc[] = [
  {
    name: "keys",
    title: "signing keys and API keys",
    description: [
      "keys generate writes a new Ed25519 signing key. The API key commands manage the bearer tokens of the GraphQL API with the login role of DATABASE_URL (it owns the key table); each change is recorded in the tenant's audit log (PCI DSS 10.2.1.5).",
    ],
    commands: [
      {
        name: "keys generate",
        args: ["--out DIR [--name NAME]"],
        summary: "new Ed25519 key: DIR/signing-key.pem (0600), DIR/signing-key.pub.pem, DIR/verifier-key.vkey",
        details: ["Each log's checkpoints are signed under its origin as key name, so the vkey that matters to a log's auditors is the one log create prints."],
        options: [
          { flag: "--out DIR", text: "the directory to write the key files into (created 0700 if missing; its parent must exist)" },
          { flag: "--name NAME", text: "the key name of verifier-key.vkey (default: sealtrail.local)" },
        ],
      },
      {
        name: "keys api create",
        args: ["--tenant T --scopes S[,S]... [--name N]"],
        summary: "new API key; prints its token once (scopes: events:read, proofs:read, events:write, packs:create, admin)",
        details: ["Only the token's SHA-256 is stored: it cannot be shown again."],
        options: [
          { flag: "--tenant T", text: "the tenant the key acts for" },
          { flag: "--scopes S[,S]...", text: "what it may do: events:read, proofs:read, events:write, packs:create, admin" },
          { flag: "--name N", text: "a label for people" },
        ],
      },
      { name: "keys api list", args: ["[--tenant T]"], summary: "API keys, one JSON object a line (never a secret)", options: [{ flag: "--tenant T", text: "only this tenant's keys" }] },
      { name: "keys api revoke", args: ["ID"], summary: "revoke an API key" },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA"],
    examples: ["$ sealtrail keys generate --out ./keys --name example.com/sealtrail", "$ sealtrail keys api create --tenant acme --scopes events:read,proofs:read --name soc-team"],
  },
];
