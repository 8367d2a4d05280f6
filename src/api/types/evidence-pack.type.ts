import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar, JSONScalar } from "../scalars.js";

export enum EvidencePackStatus {
  QUEUED = "QUEUED",
  RUNNING = "RUNNING",
  COMPLETED = "COMPLETED",
  FAILED = "FAILED",
}

registerEnumType(EvidencePackStatus, { name: "EvidencePackStatus", description: "Where a pack request stands on the evidence queue." });

@ObjectType({ description: "A request for a signed evidence pack, and the pack once built." })
export class EvidencePack {
  @Field(() => ID, { description: "The request id (also the download's file name)." })
  id!: string;

  @Field(() => String, { description: "Exporter id: soc2, hipaa, pci-dss, iso27001, gdpr or a configured plugin." })
  framework!: string;

  @Field(() => [String])
  logs!: string[];

  @Field(() => DateTimeScalar, { description: "Start of the period (ledger clock, included)." })
  from!: Date;

  @Field(() => DateTimeScalar, { description: "End of the period (excluded)." })
  to!: Date;

  @Field(() => String, { description: "Who asked: the API key (chain of custody)." })
  requestedBy!: string;

  @Field(() => DateTimeScalar)
  requestedAt!: Date;

  @Field(() => EvidencePackStatus)
  status!: EvidencePackStatus;

  @Field(() => Float, { description: "0 to 100." })
  progress!: number;

  @Field(() => String, { description: "The build phase: queued, entries, audit, proofs, report, seal, done." })
  phase!: string;

  @Field(() => String, { nullable: true, description: "The pack id (from the request and the ledger state) once built." })
  packId!: string | null;

  @Field(() => String, { nullable: true, description: "Path of the .tar.gz on this server, fetched with the same API key." })
  downloadUrl!: string | null;

  @Field(() => String, { nullable: true, description: "SHA-256 of the archive, hex." })
  sha256!: string | null;

  @Field(() => Int, { nullable: true })
  bytes!: number | null;

  @Field(() => JSONScalar, { nullable: true, description: "Controls by result: satisfied, exceptions, not tested." })
  controls!: Record<string, number> | null;

  @Field(() => String, { nullable: true, description: "Why the build failed." })
  error!: string | null;
}
