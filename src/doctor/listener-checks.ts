// `kgate doctor`, the listeners: each port kgate would open is free, or held by a kgate whose admin
// API answers there; certificate files are readable, parse, match their keys and are not expired.
import type { Config } from "../config/schema.ts";
import { certificateInfo, keyMatchesCertificate } from "../runtime/probes.ts";
import type { Runtime } from "../runtime/types.ts";
import { type CheckResult, errorText, Findings, within } from "./check.ts";

const DAY_MS = 86_400_000;
/** A certificate expiring sooner than this is a warning: time to renew. */
const RENEW_WITHIN_DAYS = 14;

export interface ListenerCheckDeps {
  readonly runtime: Runtime;
  readonly fetch: typeof fetch;
  readonly now: Date;
}

/** The listeners' ports and certificates, and the backing connection's certificates (area backing). */
export async function checkListeners(deps: ListenerCheckDeps, config: Config, nodeIds: readonly number[] | undefined): Promise<CheckResult[]> {
  const f = new Findings("listeners");
  const l = config.listener;
  const ports: { port: number; host: string; what: string; key: string }[] = [
    { port: l.port, host: l.host, what: "Kafka bootstrap", key: "listener.port" },
    { port: config.admin.port, host: config.admin.host, what: "admin API", key: "admin.port" },
  ];
  if (!l.sni) {
    for (const id of nodeIds ?? []) {
      const explicit = l.brokerPorts?.[String(id)];
      const port = explicit ?? (l.brokerPortBase ?? l.port + 1) + id;
      ports.push({ port, host: l.host, what: `broker ${id}`, key: explicit === undefined ? "listener.brokerPortBase" : `listener.brokerPorts.${id}` });
    }
  }
  let runningKgate: boolean | undefined;
  for (const p of ports) {
    const name = `${p.host}:${p.port} (${p.what})`;
    try {
      const listener = await deps.runtime.listen({ host: p.host, port: p.port }, (conn) => conn.close());
      listener.stop();
      f.ok(name, "free");
    } catch (e) {
      runningKgate ??= await adminAnswers(deps, config);
      if (runningKgate) f.ok(name, "in use by a running kgate (its admin API answers with this config's address)");
      else f.fail(name, `cannot listen: ${errorText(e)}`, `stop what holds ${p.host}:${p.port}, or choose another ${p.key}`);
    }
  }

  const tls = l.tls;
  if (tls) {
    await certificateFindings(f, deps, "listener.tls", tls.cert, tls.key);
    if (tls.ca) await caFinding(f, deps, "listener.tls.ca", tls.ca);
    if (tls.truststore) await caFinding(f, deps, "listener.tls.truststore", tls.truststore);
  }
  if (config.admin.tls) await certificateFindings(f, deps, "admin.tls", config.admin.tls.cert, config.admin.tls.key);
  const backing = config.backing.tls;
  const b = new Findings("backing");
  if (backing?.cert && backing.key) await certificateFindings(b, deps, "backing.tls", backing.cert, backing.key);
  if (backing?.ca) await caFinding(b, deps, "backing.tls.ca", backing.ca);
  return [...f.results, ...b.results];
}

/** Whether the port is held by a kgate: its admin API at the configured address answers /healthz. */
async function adminAnswers(deps: ListenerCheckDeps, config: Config): Promise<boolean> {
  const scheme = config.admin.tls ? "https" : "http";
  const host = config.admin.host === "0.0.0.0" ? "127.0.0.1" : config.admin.host;
  try {
    const res = await within(2000, "admin API", deps.fetch(`${scheme}://${host}:${config.admin.port}/healthz`));
    const body = (await res.json()) as { status?: string };
    return res.ok && body.status === "ok";
  } catch {
    return false;
  }
}

async function readPem(f: Findings, deps: ListenerCheckDeps, key: string, path: string): Promise<string | undefined> {
  try {
    return await deps.runtime.readTextFile(path);
  } catch (e) {
    f.fail(`${key} ${path}`, `cannot read: ${errorText(e)}`, `make ${path} readable by the user kgate runs as, or correct ${key}`);
    return undefined;
  }
}

async function certificateFindings(f: Findings, deps: ListenerCheckDeps, key: string, certPath: string, keyPath: string): Promise<void> {
  const certPem = await readPem(f, deps, `${key}.cert`, certPath);
  const keyPem = await readPem(f, deps, `${key}.key`, keyPath);
  if (certPem === undefined || keyPem === undefined) return;
  let info;
  try {
    info = certificateInfo(certPem);
  } catch (e) {
    f.fail(`${key}.cert ${certPath}`, `not a PEM certificate: ${errorText(e)}`, `point ${key}.cert at a PEM certificate ("-----BEGIN CERTIFICATE-----")`);
    return;
  }
  validityFinding(f, deps.now, `${key}.cert ${certPath}`, info, key.startsWith("listener") ? " (kgate picks up renewed listener files without a restart)" : "");
  try {
    if (keyMatchesCertificate(certPem, keyPem)) f.ok(`${key}.key ${keyPath}`, "matches the certificate");
    else f.fail(`${key}.key ${keyPath}`, "is not the private key of the certificate", `set ${key}.key to the key the certificate was issued for`);
  } catch (e) {
    f.fail(`${key}.key ${keyPath}`, `not a usable private key: ${errorText(e)}`, `point ${key}.key at an unencrypted PEM private key`);
  }
}

async function caFinding(f: Findings, deps: ListenerCheckDeps, key: string, path: string): Promise<void> {
  const pem = await readPem(f, deps, key, path);
  if (pem === undefined) return;
  try {
    validityFinding(f, deps.now, `${key} ${path}`, certificateInfo(pem), "");
  } catch (e) {
    f.fail(`${key} ${path}`, `not a PEM certificate: ${errorText(e)}`, `point ${key} at a PEM CA certificate`);
  }
}

function validityFinding(f: Findings, now: Date, name: string, info: { subject: string; validFrom: Date; validTo: Date }, renewNote: string): void {
  const days = Math.floor((info.validTo.getTime() - now.getTime()) / DAY_MS);
  const until = info.validTo.toISOString().slice(0, 10);
  if (info.validTo <= now) f.fail(name, `${info.subject}: expired on ${until}`, `renew the certificate${renewNote}`);
  else if (info.validFrom > now) {
    f.fail(name, `${info.subject}: not valid before ${info.validFrom.toISOString()}`, "check the host's clock, or use a certificate valid now");
  } else if (days < RENEW_WITHIN_DAYS) f.warn(name, `${info.subject}: expires in ${days} days (${until})`, `renew the certificate soon${renewNote}`);
  else f.ok(name, `${info.subject}: valid until ${until} (${days} days)`);
}
