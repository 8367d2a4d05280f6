/**
 * The claim mappings of single sign-on: from the claims a provider vouched for to a tenant and
 * scopes, refusing rather than guessing (no tenant, several, no scope).
 */
import { describe, expect, it } from "vitest";
import { principalOf, valuesAt } from "../../src/api/console/sso-claims.js";
import { SsoError } from "../../src/api/console/sso-error.js";
import type { Scope } from "../../src/core/token/index.js";

const ISSUER = "https://id.example.com/";
const plain = { tenantClaim: "sealtrail_tenant", tenantMap: undefined, scopesClaim: "groups", scopeMap: undefined };
const mapped = {
  tenantClaim: "org.name",
  tenantMap: new Map([["Acme Corp", "acme"], ["Acme EU", "acme"], ["Globex", "globex"]]),
  scopesClaim: "realm_access.roles",
  scopeMap: new Map<string, readonly Scope[]>([["auditor", ["events:read", "proofs:read"]], ["packer", ["packs:create"]]]),
};

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof SsoError) return error.code;
    throw error;
  }
  return "none";
}

describe("single sign-on claim mappings", () => {
  it("takes the tenant and scope names as they are without maps, naming the person by e-mail", () => {
    const p = principalOf({ sub: "u-1", email: "ann@acme.example", sealtrail_tenant: "acme", groups: ["proofs:read", "events:read", "staff"] }, plain, ISSUER);
    expect(p).toEqual({ keyId: "sso:u-1", keyName: "ann@acme.example", tenant: "acme", scopes: ["events:read", "proofs:read"], sso: { issuer: ISSUER, subject: "u-1" } });
  });

  it("follows dotted paths and maps values; values mapping to one tenant are one tenant", () => {
    const claims = { sub: "u-2", preferred_username: "ben", org: { name: ["Acme Corp", "Acme EU"] }, realm_access: { roles: ["auditor", "packer", "other"] } };
    expect(principalOf(claims, mapped, ISSUER)).toMatchObject({ keyName: "ben", tenant: "acme", scopes: ["events:read", "proofs:read", "packs:create"] });
  });

  it("splits a string scopes claim on spaces, but takes a tenant's whole", () => {
    expect(valuesAt({ scope: "events:read proofs:read" }, "scope", true)).toEqual(["events:read", "proofs:read"]);
    expect(valuesAt({ org: "Acme Corp" }, "org")).toEqual(["Acme Corp"]);
    expect(valuesAt({ org: { name: 3 } }, "org.name")).toEqual([]);
  });

  it("refuses no tenant, an unmapped one, several, no scope, and no subject", () => {
    expect(refusal(() => principalOf({ sub: "x", groups: ["admin"] }, plain, ISSUER))).toBe("SSO_NO_TENANT");
    expect(refusal(() => principalOf({ sub: "x", org: { name: "Initech" }, realm_access: { roles: ["auditor"] } }, mapped, ISSUER))).toBe("SSO_NO_TENANT");
    expect(refusal(() => principalOf({ sub: "x", org: { name: ["Acme Corp", "Globex"] }, realm_access: { roles: ["auditor"] } }, mapped, ISSUER))).toBe("SSO_NO_TENANT");
    expect(refusal(() => principalOf({ sub: "x", sealtrail_tenant: "not a tenant!", groups: ["admin"] }, plain, ISSUER))).toBe("SSO_NO_TENANT");
    expect(refusal(() => principalOf({ sub: "x", sealtrail_tenant: "acme", groups: ["staff"] }, plain, ISSUER))).toBe("SSO_NO_SCOPE");
    expect(refusal(() => principalOf({ sub: "x", org: { name: "Globex" }, realm_access: { roles: ["events:read"] } }, mapped, ISSUER))).toBe("SSO_NO_SCOPE");
    expect(refusal(() => principalOf({ sealtrail_tenant: "acme", groups: ["admin"] }, plain, ISSUER))).toBe("SSO_TOKEN_INVALID");
  });
});
