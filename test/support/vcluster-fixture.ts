// Tenants for end-to-end tests: vclusters and tokens through the `kgate` CLI (as users do), plus
// kafkajs and kcat settings for them.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { REPO_ROOT } from "./kafka.ts";
import { kgateCommand, type KgateProcess, type KgateRuntime } from "./kgate-process.ts";

export interface TenantLogin {
  vcluster: string;
  username: string;
  token: string;
  propertiesFile: string;
}

/** Runs `kgate ARGS…` against the given kgate's admin API; resolves with exit code and output. */
export function kgateCli(k: KgateProcess, args: string[], runtime: KgateRuntime = "bun"): Promise<{ code: number; out: string }> {
  const [cmd, ...pre] = kgateCommand(runtime);
  return new Promise((resolve) => {
    const child = spawn(cmd!, [...pre, ...args, "--admin-url", k.adminUrl, "--admin-token", k.adminToken], {
      cwd: k.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

/** `kgate vcluster create` + `kgate token create --properties`, as the README shows. */
export async function createTenant(k: KgateProcess, vcluster: string, username: string, runtime: KgateRuntime = "bun"): Promise<TenantLogin> {
  const created = await kgateCli(k, ["vcluster", "create", vcluster], runtime);
  if (created.code !== 0 && !created.out.includes("exists")) throw new Error(`vcluster create failed: ${created.out}`);
  const propertiesFile = join(k.dir, `${vcluster}-${username}.properties`);
  const issued = await kgateCli(k, ["token", "create", vcluster, "--user", username, "--properties", propertiesFile], runtime);
  if (issued.code !== 0) throw new Error(`token create failed: ${issued.out}`);
  const text = readFileSync(propertiesFile, "utf8");
  const token = /password="([^"]+)"/.exec(text)?.[1];
  if (!token) throw new Error(`no token in ${propertiesFile}:\n${text}`);
  return { vcluster, username, token, propertiesFile };
}

export function tenantKafka(k: KgateProcess, login: TenantLogin): Kafka {
  return new Kafka({
    clientId: `e2e-${login.username}`,
    brokers: [k.bootstrap],
    sasl: { mechanism: "plain", username: login.username, password: login.token },
    logLevel: logLevel.NOTHING,
  });
}

export function kcatArgs(k: KgateProcess, login: TenantLogin): string[] {
  return [
    "-b",
    k.bootstrap,
    "-X",
    "security.protocol=SASL_PLAINTEXT",
    "-X",
    "sasl.mechanism=PLAIN",
    "-X",
    `sasl.username=${login.username}`,
    "-X",
    `sasl.password=${login.token}`,
  ];
}

export function runKcat(args: string[], input?: string, timeoutMs = 30_000): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn("kcat", args, { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out, err });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}
