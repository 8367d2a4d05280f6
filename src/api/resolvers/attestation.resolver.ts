/**
 * attestControl: `sealtrail attest` over GraphQL (docs/packs.md, "Attested evidence"), scope
 * packs:create (the scope that builds the packs the file goes into; admin holds every scope).
 * The file comes as base64 within the request size; the tenant and the principal are the key's.
 */
import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { recordAttestation } from "../../packs/attest.js";
import { BUILT_IN_EXPORTERS } from "../../packs/frameworks/index.js";
import { actingKey, adminStore, API_SOURCE } from "../admin-log.js";
import { ApiError, toApiError } from "../api-error.js";
import type { ApiContext } from "../context.js";
import { AttestationInput, AttestationRecord } from "../types/attestation.type.js";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

@Resolver(() => AttestationRecord)
export class AttestationResolver {
  @Authorized("packs:create")
  @Mutation(() => AttestationRecord, { description: "Attach a file as the evidence of a control the ledger holds no evidence of: its SHA-256 is recorded in the tenant's audit log (evidence.attestation) and the file is carried in every pack of the framework whose period holds the entry. An unknown control, a file over 16 MiB or empty, or a bad period is BAD_USER_INPUT and stores nothing." })
  async attestControl(@Arg("input", () => AttestationInput) input: AttestationInput, @Ctx() ctx: ApiContext): Promise<AttestationRecord> {
    if (!BASE64.test(input.content)) throw new ApiError("BAD_USER_INPUT", "content: want the file's bytes in base64 (RFC 4648)");
    if ((input.from == null) !== (input.to == null)) throw new ApiError("BAD_USER_INPUT", "from and to give the period the evidence covers: give both or neither");
    const { writer, originPrefix } = adminStore(ctx);
    const by = actingKey(ctx);
    // The exporters the server loaded for packs, else the built-ins: a control of a plugin's framework needs the evidence service.
    const exporters = ctx.evidence?.exporters ?? new Map(BUILT_IN_EXPORTERS.map((e) => [e.id, e]));
    try {
      const a = await recordAttestation(writer, originPrefix, exporters, {
        tenant: ctx.principal!.tenant,
        control: input.control,
        ...(input.framework != null ? { framework: input.framework } : {}),
        file: { name: input.fileName, bytes: new Uint8Array(Buffer.from(input.content, "base64")), ...(input.mediaType != null ? { mediaType: input.mediaType } : {}) },
        by,
        source: API_SOURCE,
        ...(input.note != null ? { note: input.note } : {}),
        ...(input.from != null && input.to != null ? { period: { from: input.from.toISOString(), to: input.to.toISOString() } } : {}),
      });
      return Object.assign(new AttestationRecord(), { log: a.log, seq: a.seq, framework: a.framework, control: a.control, fileName: a.file.name, size: a.file.size, sha256: a.file.sha256, mediaType: a.file.mediaType, packFile: a.packFile, by });
    } catch (error) {
      throw toApiError(error);
    }
  }
}
