// Test certificates made with Debian's openssl: a CA, server certificates for 127.0.0.1 and
// localhost (or any names, wildcards too), client certificates; all X.509 v3 (rustls, under
// Deno, refuses v1).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CertPair {
  cert: string;
  key: string;
}

export interface TestCa {
  dir: string;
  /** Path of the CA certificate (PEM). */
  ca: string;
  /**
   * A server certificate for `hosts` (default localhost and 127.0.0.1): IP addresses become IP
   * SANs, names DNS SANs, wildcards included ("*.kgate.test" covers one label: b0.kgate.test,
   * not b0.vc-a.kgate.test, which needs "*.vc-a.kgate.test"). The first host is the CN.
   */
  server(name: string, opts?: { days?: number; hosts?: string[] }): CertPair;
  client(name: string, subject: string, opts?: { san?: string }): CertPair;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

export function makeTestCa(label = "kgate test CA"): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "kgate-certs-"));
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "30", "-subj", `/CN=${label}`], dir);
  let serial = 1000 + Math.floor(Math.random() * 1000);
  const sign = (name: string, subject: string, ext: string, days: number): CertPair => {
    const key = join(dir, `${name}-key.pem`);
    const csr = join(dir, `${name}.csr`);
    const cert = join(dir, `${name}.pem`);
    const extFile = join(dir, `${name}.ext`);
    writeFileSync(extFile, ext);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", subject], dir);
    openssl([
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-set_serial",
      String(serial++),
      "-out",
      cert,
      "-days",
      String(days),
      "-extfile",
      extFile,
    ], dir);
    return { cert, key };
  };
  return {
    dir,
    ca: join(dir, "ca.pem"),
    server: (name, opts = {}) => {
      const hosts = opts.hosts ?? ["localhost", "127.0.0.1"];
      const san = hosts.map((h) => (/^[\d.]+$/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(",");
      return sign(
        name,
        `/CN=${hosts[0]}`,
        `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
        opts.days ?? 30,
      );
    },
    client: (name, subject, opts = {}) =>
      sign(
        name,
        subject,
        `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n${opts.san ? `subjectAltName=${opts.san}\n` : ""}`,
        30,
      ),
  };
}

export function pem(path: string): string {
  return readFileSync(path, "utf8");
}
