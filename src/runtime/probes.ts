// Read-only probes for `kgate doctor`: what a certificate says, whether a key belongs to it, whether
// a directory takes new files. node:crypto and node:fs behave alike on Bun, Deno and the binary.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { access, constants, stat } from "node:fs/promises";

export interface CertificateInfo {
  readonly subject: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

/** The first certificate of a PEM file; throws when there is none that parses. */
export function certificateInfo(pem: string): CertificateInfo {
  const cert = new X509Certificate(pem);
  return { subject: cert.subject.replaceAll("\n", ", "), validFrom: new Date(cert.validFrom), validTo: new Date(cert.validTo) };
}

/** Whether `keyPem` is the private key of the certificate in `certPem`. */
export function keyMatchesCertificate(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
}

/** "ok", or why new files cannot be created in `dir`. */
export async function directoryWritable(dir: string): Promise<"ok" | "missing" | "not a directory" | "not writable"> {
  try {
    if (!(await stat(dir)).isDirectory()) return "not a directory";
  } catch {
    return "missing";
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
    return "ok";
  } catch {
    return "not writable";
  }
}
