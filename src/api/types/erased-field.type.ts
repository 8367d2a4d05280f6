import { Field, ObjectType, registerEnumType } from "type-graphql";
import { BigIntScalar } from "../scalars.js";

export enum CommittedFieldName {
  actor = "actor",
  resource = "resource",
  payload = "payload",
}
registerEnumType(CommittedFieldName, { name: "CommittedField", description: "A field a format-2 leaf commits to with a salted commitment (docs/leaf-format.md)." });

export enum RemovalKind {
  erasure = "erasure",
  expiry = "expiry",
}
registerEnumType(RemovalKind, { name: "RemovalKind", description: "erasure: an erasure request (GDPR Art. 17); expiry: the log's retention policy (clearDays)." });

@ObjectType({ description: "A value removed from an entry under a record of the same log (docs/erasure.md): shown in the value's place, never as missing." })
export class ErasedField {
  @Field(() => CommittedFieldName)
  field!: CommittedFieldName;

  @Field(() => RemovalKind)
  kind!: RemovalKind;

  @Field(() => BigIntScalar, { description: "Seq of the sealtrail.erasure or sealtrail.expiry entry that authorized the removal, in the same log." })
  recordSeq!: number;

  @Field(() => String, { nullable: true, description: "The erasure request's id (an expiry: the retention run's), when the record names one." })
  request!: string | null;
}
