import { Field, InputType, Int, ObjectType } from "type-graphql";
import { BigIntScalar, DateTimeScalar } from "../scalars.js";

@InputType({ description: "A file attached as the evidence of a control the ledger holds no evidence of (docs/packs.md, \"Attested evidence\")." })
export class AttestationInput {
  @Field(() => String, { description: "The control it evidences (CC6.3, 10.4.1, …)." })
  control!: string;

  @Field(() => String, { nullable: true, description: "The control's framework (soc2, hipaa, pci-dss, iso27001, gdpr or a plugin's); default: the one framework that has the control." })
  framework?: string | null;

  @Field(() => String, { description: "The file's name; the pack names it by its last path segment, made safe." })
  fileName!: string;

  @Field(() => String, { description: "The file's bytes in base64 (RFC 4648), 1 byte to 16 MiB, within the server's request size (SEALTRAIL_API_MAX_BODY_BYTES)." })
  content!: string;

  @Field(() => String, { nullable: true, description: "The file's media type; default: from its name's extension, else application/octet-stream." })
  mediaType?: string | null;

  @Field(() => String, { nullable: true, description: "Free text kept with it (who reviewed, a ticket)." })
  note?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "The start of the period the evidence covers (with to)." })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "The end of that period (excluded)." })
  to?: Date | null;
}

@ObjectType({ description: "An attestation as recorded: an evidence.attestation entry of the tenant's audit log." })
export class AttestationRecord {
  @Field(() => String, { description: "The tenant's audit log." })
  log!: string;

  @Field(() => BigIntScalar)
  seq!: number;

  @Field(() => String)
  framework!: string;

  @Field(() => String)
  control!: string;

  @Field(() => String, { description: "The file's name as recorded." })
  fileName!: string;

  @Field(() => Int)
  size!: number;

  @Field(() => String, { description: "The file's SHA-256, hex." })
  sha256!: string;

  @Field(() => String)
  mediaType!: string;

  @Field(() => String, { description: "Where a pack of the period carries the file." })
  packFile!: string;

  @Field(() => String, { description: "Who attested: the API key or the person signed in." })
  by!: string;
}
