// Who a verified client certificate is: the first `auth.certificates` entry whose subject DN or
// subject alternative name matches. Only certificates the TLS handshake verified count.
import type { Config } from "../config/schema.ts";
import type { TlsPeer } from "../runtime/types.ts";

export interface CertificateIdentity {
  readonly username: string;
  readonly vcluster: string;
}

/**
 * "CN = alice, O=tenant", "cn=alice,o=tenant" and "O=tenant,CN=alice" are the same DN here: the
 * runtimes report a certificate's attributes in different orders (Bun as in the certificate,
 * Deno's node:tls in its own), so attributes are compared as a set.
 */
export function normalizeDn(dn: string): string {
  return dn
    .split(",")
    .map((rdn) => {
      const eq = rdn.indexOf("=");
      return eq < 0 ? rdn.trim() : `${rdn.slice(0, eq).trim().toUpperCase()}=${rdn.slice(eq + 1).trim()}`;
    })
    .sort()
    .join(",");
}

export function certificateIdentifier(entries: Config["auth"]["certificates"]): (peer: TlsPeer | undefined) => CertificateIdentity | null {
  const bySubject = entries.filter((e) => e.subject !== undefined).map((e) => ({ ...e, dn: normalizeDn(e.subject!) }));
  const bySan = entries.filter((e) => e.san !== undefined);
  return (peer) => {
    if (!peer?.authorized || peer.subject === undefined) return null;
    const dn = normalizeDn(peer.subject);
    const subjectMatch = bySubject.find((e) => e.dn === dn);
    if (subjectMatch) return { username: subjectMatch.username, vcluster: subjectMatch.vcluster };
    const sanMatch = bySan.find((e) => peer.subjectAltNames.includes(e.san!));
    return sanMatch ? { username: sanMatch.username, vcluster: sanMatch.vcluster } : null;
  };
}
