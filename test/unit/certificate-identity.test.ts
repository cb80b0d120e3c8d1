// Client certificates as identities: only verified certificates count, DNs match whatever the
// attribute order or spacing, SANs match exactly, and the first matching entry wins.
import { describe, expect, test } from "bun:test";
import { certificateIdentifier, normalizeDn } from "../../src/auth/certificate-identity.ts";
import type { TlsPeer } from "../../src/runtime/types.ts";

const entries = [
  { subject: "CN=alice, O=tenant", username: "alice", vcluster: "vc-a" },
  { san: "DNS:robot.tenant", username: "robot", vcluster: "vc-b" },
];
const peer = (p: Partial<TlsPeer>): TlsPeer => ({ authorized: true, subjectAltNames: [], ...p });

describe("certificate identities", () => {
  const identify = certificateIdentifier(entries);

  test("a DN matches in any attribute order and spacing", () => {
    expect(normalizeDn("O=tenant,CN=alice")).toBe(normalizeDn("cn = alice, o=tenant"));
    expect(identify(peer({ subject: "O=tenant,CN=alice" }))).toEqual({ username: "alice", vcluster: "vc-a" });
  });

  test("a SAN matches exactly", () => {
    expect(identify(peer({ subject: "CN=robot", subjectAltNames: ["DNS:other", "DNS:robot.tenant"] }))).toEqual({ username: "robot", vcluster: "vc-b" });
    expect(identify(peer({ subject: "CN=robot", subjectAltNames: ["DNS:robot.tenant.evil"] }))).toBeNull();
  });

  test("an unverified certificate identifies nobody", () => {
    expect(identify(peer({ subject: "CN=alice,O=tenant", authorized: false }))).toBeNull();
    expect(identify(undefined)).toBeNull();
  });

  test("a DN with an extra attribute is another DN", () => {
    expect(identify(peer({ subject: "CN=alice,O=tenant,OU=x" }))).toBeNull();
  });
});
