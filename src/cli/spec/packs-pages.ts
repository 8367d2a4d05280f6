/** Evidence packs: build, verify offline, and the worker that builds the API's requests. */
import type { PageDoc } from "./types.js";

export const PACK_PAGES: PageDoc[] = [
  {
    name: "pack",
    title: "build a signed evidence pack",
    description: [
      "Builds a signed evidence pack of the entries recorded in [from, to) in each log: every entry with its inclusion proof, a checkpoint covering the period, the framework's control mapping, a PDF summary, and its own verifier (VERIFY.md and verify.mjs, run as node verify.mjs with no install). The pack is signed with SEALTRAIL_PACK_KEY (default SEALTRAIL_SIGNING_KEY); a checkpoint covering the period is signed with SEALTRAIL_SIGNING_KEY when none is stored yet. Prints the pack id and its files as JSON.",
    ],
    commands: [
      {
        name: "pack",
        args: ["--framework F --log NAME [--log NAME]... --from ISO --to ISO --out DIR", "[--org NAME] [--scope TEXT] [--recipient WHO] [--note TEXT] [--requested-at ISO]", "[--seed S] [--sample-size N] [--failed-login-threshold N]", "[--approval-tag T]... [--archive tar.gz] [--progress]"],
        summary: "signed evidence pack (F: soc2, hipaa, pci-dss, iso27001, gdpr or an exporter plugin) of the entries recorded in [from, to) in each log (up to 20, of one tenant)",
        options: [
          { flag: "--framework F", text: "soc2, hipaa, pci-dss, iso27001, gdpr, or a framework of a plugin in SEALTRAIL_PACK_EXPORTERS" },
          { flag: "--log NAME...", text: "a log to include; repeat for more (up to 20, all of one tenant)" },
          { flag: "--from ISO", text: "the period's start (included)" },
          { flag: "--to ISO", text: "the period's end (excluded)" },
          { flag: "--out DIR", text: "where to write the pack" },
          { flag: "--org NAME", text: "the organisation named in the report" },
          { flag: "--scope TEXT", text: "the audit's scope, as stated in the report" },
          { flag: "--recipient WHO", text: "who the pack is for, named in its chain of custody" },
          { flag: "--note TEXT", text: "free text kept with the request (--requested-by, its older name, is read as a note): the requester is always the operator running the command, cli:USER@HOST" },
          { flag: "--requested-at ISO", text: "when it was asked for (default: now)" },
          { flag: "--seed S", text: "the auditor's seed of the samples (the same seed draws the same sample); default: the root of a checkpoint signed after the period ended; refused (NO_SEED) while none exists" },
          { flag: "--sample-size N", text: "the auditor's fixed number of entries each sample holds; default: by the sampling table, from the control's frequency and its population's size (annual 1, quarterly 2, monthly 2-5, weekly 5-15, daily 20-40, many times a day 25-60)" },
          { flag: "--failed-login-threshold N", text: "failed logins by one actor that make a burst worth reporting" },
          { flag: "--approval-tag T...", text: "a tag that marks a deploy as approved; repeat for more" },
          { flag: "--archive tar.gz", text: "also write the pack as one archive" },
          { flag: "--progress", text: "a progress bar on standard error" },
        ],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "SEALTRAIL_SIGNING_KEY", "SEALTRAIL_PACK_KEY", "SEALTRAIL_PACK_EXPORTERS"],
  },
  {
    name: "attest",
    title: "attach evidence the ledger does not hold to a control",
    description: [
      "Where the ledger holds no evidence of a control (an access review of SOC 2 CC6.3, a review sign-off kept elsewhere), attaches a file as its evidence. The file's SHA-256, size, media type and name, the control and its framework, the operator running the command (cli:USER@HOST), the note and the period the evidence covers are recorded as an evidence.attestation entry of the tenant's audit log; the file's bytes are kept by their SHA-256. Prints the entry's log and seq and the file as recorded, as JSON.",
      "Every pack of the framework whose period holds the entry (and overlaps the period given) carries the file as attestations/<sha256>-<name> with the entry's inclusion proof; a control whose own evidence is missing is then attested (tested by the auditor's inspection of the file), never satisfied by the file's presence. verify-pack checks the file against the hash the entry records.",
      "Evidence is often signed off after the period it covers (a Q3 access review signed in October): attest it with --from and --to naming the period it covers, and every pack of a period it overlaps that is built afterwards carries it too, with the entry itself and its inclusion proof in the audit checkpoint the pack is anchored at (attestations/recorded-after/<seq>.json). An attestation recorded after a period without --from and --to is not carried in that period's packs.",
      "An unknown control (UNKNOWN_CONTROL), a file over 16 MiB (FILE_TOO_LARGE), an empty one or a malformed period is refused, and nothing is stored.",
    ],
    commands: [
      {
        name: "attest",
        args: ["--tenant T --control ID --file F [--framework F] [--note TEXT]", "[--from ISO --to ISO] [--media-type TYPE]"],
        summary: "attach a file as the evidence of a control: its SHA-256 recorded in the tenant's audit log, the file carried in packs",
        options: [
          { flag: "--tenant T", text: "the tenant whose audit log records it and whose packs carry it" },
          { flag: "--control ID", text: "the control it evidences (CC6.3, 10.4.1, 164.308(a)(1)(ii)(D) ...)" },
          { flag: "--file F", text: "the file (at most 16 MiB); the pack names it by its last path segment, made safe" },
          { flag: "--framework F", text: "the control's framework; default: the one framework that has the control" },
          { flag: "--note TEXT", text: "free text kept with it (who reviewed, a ticket)" },
          { flag: "--from ISO", text: "the start of the period the evidence covers (with --to); packs of periods it does not overlap leave it out, packs of periods it overlaps carry it even when it is recorded after them" },
          { flag: "--to ISO", text: "the end of that period (excluded)" },
          { flag: "--media-type TYPE", text: "the file's media type; default: from its extension, else application/octet-stream" },
        ],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "SEALTRAIL_PACK_EXPORTERS"],
    examples: [
      "$ sealtrail attest --tenant acme --control CC6.3 --file access-review-2026-q3.pdf --from 2026-07-01T00:00:00Z --to 2026-10-01T00:00:00Z --note \"quarterly review, signed by the CISO\"",
      "# signed off in October, for Q3: a Q3 pack built afterwards carries it",
      "$ sealtrail pack --log prod --framework soc2 --from 2026-07-01T00:00:00Z --to 2026-10-01T00:00:00Z --out q3",
    ],
  },
  {
    name: "verify-pack",
    title: "check an evidence pack offline",
    description: [
      "Checks a pack with no database: its files' hashes, its signature, its checkpoints, every entry and every proof, re-derives every population file and sample, the exceptions, sweeps and results, and every document rendered from them (pack.json, controls.json, the OSCAL results, VERIFY.md, the framework's policy file, report.pdf) from the checked entries and compares them byte for byte (so an edit re-sealed with the pack key still fails), checks that every sampled entry has its inclusion proof, counts withheld (null) payloads and re-derives the withholding (withheld.json lists exactly the payloads left out, and no payload shown matches a secret rule), and says which check failed.",
      "It gives two results. Integrity: the files agree with SHA256SUMS, with each other and with the checkpoints. Authenticity: the checkpoints are signed by a key the auditor trusts, given with --key (a vkey verifies only the log its name is the origin of; one that names no log of the pack fails). Without --key the pack's own key is used, so authenticity is unknown and the pack is not called verified.",
      "Exit status: 0 integrity and authenticity verified (and the witness policy met); 1 integrity or authenticity failed; 3 only the witness policy (--witness, --quorum) is not met; 4 intact, but authenticity unknown (no --key).",
    ],
    commands: [
      {
        name: "verify-pack",
        args: ["DIR [--key VKEY|FILE]... [--pack-key FILE] [--json]", "[--witness VKEY|FILE]... [--quorum K]"],
        summary: "check a pack offline: hashes, signature, checkpoints, every entry and proof; says what failed",
        options: [
          { flag: "--key VKEY|FILE...", text: "a log's checkpoint verifier key as the auditor holds it (repeat: one vkey per log, the audit log's, a rotation); a vkey must be named for a log of the pack; without it, authenticity is unknown (exit 4)" },
          { flag: "--pack-key FILE", text: "the public key the pack must be signed with" },
          { flag: "--json", text: "the report as JSON" },
          { flag: "--witness VKEY|FILE...", text: "a witness's cosigner vkey (or a file of them, one a line): each log's checkpoint must carry cosignatures of --quorum of them, else exit 3" },
          { flag: "--quorum K", text: "how many of the witnesses must have cosigned (default all)" },
        ],
      },
    ],
    environment: ["SEALTRAIL_VERIFIER_KEY"],
    examples: ["$ tar xzf PACK.tar.gz && sealtrail verify-pack PACK --key prod.vkey"],
  },
  {
    name: "pack-worker",
    title: "the evidence worker",
    description: ["Builds the packs requested through the API (the evidence queue) into SEALTRAIL_PACK_DIR, until SIGTERM or SIGINT."],
    commands: [
      {
        name: "pack-worker",
        args: ["[--concurrency N]"],
        summary: "the evidence worker: builds the packs requested through the API into SEALTRAIL_PACK_DIR",
        options: [{ flag: "--concurrency N", text: "packs built at once" }],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "REDIS_URL", "SEALTRAIL_SIGNING_KEY", "SEALTRAIL_PACK_KEY", "SEALTRAIL_PACK_DIR", "SEALTRAIL_PACK_EXPORTERS"],
  },
];
