/** Erasure (GDPR Art. 17) and legal holds: erase, hold (docs/erasure.md). */
import type { PageDoc } from "./types.js";

const BY = { flag: "--by WHO", text: "who acts, as recorded (default: <login name>@cli)" };
const LOG = { flag: "--log NAME", text: "the log" };

export const ERASURE_PAGES: PageDoc[] = [
  {
    name: "erase",
    title: "erase a data subject's values (GDPR Art. 17)",
    description: [
      "Erases the personal values of a format-2 log's entries by crypto-shredding: their salts and clear values are deleted, while every entry, its leaf hash, the chain, the tree and every inclusion and consistency proof stay as they were. The erasure is first recorded in the log itself (kind sealtrail.erasure: the request, seqs, fields, reason, legal basis, who asked and who approved; never the values), and in the tenant's audit log. Format-1 logs cannot be erased (docs/leaf-format.md).",
      "Entries under an active legal hold are never erased: a request touching one is refused whole (exit 5), and the refusal is recorded in the log.",
    ],
    commands: [
      {
        name: "erase",
        args: ["--log NAME (--actor A | --seq N|FROM-TO...) --reason R --legal-basis B", "[--fields F,...] [--four-eyes] [--by WHO]"],
        summary: "erase a data subject's entries (--actor) or given entries (--seq); --four-eyes: record the request for a second administrator",
        details: ["Prints the request as JSON: its id, state (done, or pending with --four-eyes), the entries and values removed, the seq spans and the seqs of its records."],
        options: [
          LOG,
          { flag: "--actor A", text: "the data subject: every entry of the log whose actor is A" },
          { flag: "--seq N|FROM-TO...", text: "entries by seq, or FROM-TO ranges (both included); repeat or separate with commas" },
          { flag: "--fields F,...", text: "the committed fields to erase: actor, resource, payload (default all three)" },
          { flag: "--reason R", text: "why (required): the data subject's request, its date and reference" },
          { flag: "--legal-basis B", text: "the legal basis (required), e.g. \"GDPR Art. 17(1)(a)\"" },
          { flag: "--four-eyes", text: "record the request only; a different administrator carries it out with erase approve" },
          BY,
        ],
      },
      {
        name: "erase approve",
        args: ["ID --log NAME [--by WHO]"],
        summary: "approve a four-eyes erasure request and carry it out (the approver must not be the requester)",
        details: ["Legal holds are checked again. A refused approval (the requester approving, a request done already) exits 5 and is recorded."],
        options: [LOG, BY],
      },
      { name: "erase list", args: ["--log NAME"], summary: "the log's erasure requests and their state (pending or done), one JSON object a line", options: [LOG] },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "SEALTRAIL_ORIGIN_PREFIX"],
    examples: [
      "$ sealtrail erase --log crm --actor dana@example.com --reason \"request of 2026-12-01, ticket 4411\" --legal-basis \"GDPR Art. 17(1)(a)\" --four-eyes --by alice",
      "$ sealtrail erase approve 3f0c2d8e-0b5e-4c47-9a63-2a54a1f1c0de --log crm --by bob",
    ],
  },
  {
    name: "hold",
    title: "legal holds: keep entries from erasure and expiry",
    description: [
      "A legal hold covers a whole log, or the entries of a period (occurred_at), of some actors, or matching a query (kinds, action, resource, source, tags); every condition given must hold. Held entries are never erased or expired. Creating and releasing a hold are recorded in the log (sealtrail.legal-hold, sealtrail.legal-hold-release) and in the tenant's audit log.",
    ],
    commands: [
      {
        name: "hold create",
        args: ["--log NAME --reason R [--matter M] [--from ISO] [--to ISO] [--actor A]...", "[--kind K]... [--action X] [--resource R] [--source S] [--tag T]... [--by WHO]"],
        summary: "place a hold; without a scope it covers the whole log",
        options: [
          LOG,
          { flag: "--reason R", text: "why (required)" },
          { flag: "--matter M", text: "the case or matter it serves" },
          { flag: "--from ISO", text: "entries that occurred at or after this time" },
          { flag: "--to ISO", text: "entries that occurred before this time" },
          { flag: "--actor A...", text: "entries of this actor; repeat for more" },
          { flag: "--kind K...", text: "entries of this kind; repeat for more" },
          { flag: "--action X", text: "entries with this action" },
          { flag: "--resource R", text: "entries with this resource" },
          { flag: "--source S", text: "entries from this source" },
          { flag: "--tag T...", text: "entries carrying this tag; repeat for more (all of them)" },
          BY,
        ],
      },
      { name: "hold list", args: ["--log NAME [--active]"], summary: "the log's holds, active and released, one JSON object a line", options: [LOG, { flag: "--active", text: "only holds not released" }] },
      {
        name: "hold release",
        args: ["ID --log NAME --reason R [--by WHO]"],
        summary: "release a hold; erasure and expiry of its entries may then proceed",
        options: [LOG, { flag: "--reason R", text: "why (required)" }, BY],
      },
    ],
    environment: ["DATABASE_URL", "SEALTRAIL_DB_SCHEMA", "SEALTRAIL_ORIGIN_PREFIX"],
    examples: ["$ sealtrail hold create --log crm --actor dana@example.com --from 2026-01-01T00:00:00Z --reason \"litigation hold\" --matter \"Doe v. Example\""],
  },
];
