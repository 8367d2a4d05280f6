import { Field, ID, ObjectType } from "type-graphql";
import { BigIntScalar, DateTimeScalar } from "../scalars.js";
import { EvidencePack } from "./evidence-pack.type.js";

@ObjectType({
  description: "A build of an evidence pack, as recorded in the tenant's audit log (a `pack.build` entry): the record is checked against the log's signed checkpoint like any entry served, so what it states — who asked, for what period, which SHA256SUMS — is what the log committed to.",
})
export class PackBuild {
  @Field(() => BigIntScalar, { description: "Seq of the build's entry in the audit log." })
  recordSeq!: number;

  @Field(() => String, { description: "The pack id (from the request and the ledger state)." })
  packId!: string;

  @Field(() => String)
  framework!: string;

  @Field(() => [String])
  logs!: string[];

  @Field(() => DateTimeScalar, { description: "Start of the period (included)." })
  from!: Date;

  @Field(() => DateTimeScalar, { description: "End of the period (excluded)." })
  to!: Date;

  @Field(() => String, { description: "The authenticated principal who asked (chain of custody)." })
  requestedBy!: string;

  @Field(() => DateTimeScalar)
  requestedAt!: Date;

  @Field(() => DateTimeScalar, { description: "When the build was recorded." })
  builtAt!: Date;

  @Field(() => String, { description: "Who ran the build: the evidence worker, or the CLI's user." })
  builtBy!: string;

  @Field(() => String, { description: "SHA-256 of the pack's SHA256SUMS, hex: what verify-pack checks every file of the pack against." })
  sha256sums!: string;

  @Field(() => String, { nullable: true, description: "Who the pack is for." })
  recipient!: string | null;

  @Field(() => String, { nullable: true })
  note!: string | null;

  @Field(() => ID, { nullable: true, description: "The API request id, for a build the evidence worker ran; null for a CLI build." })
  requestId!: string | null;

  @Field(() => EvidencePack, { nullable: true, description: "The request on this server's evidence queue, when it is still there (finished requests are kept 30 days): its controls and download." })
  request!: EvidencePack | null;
}
