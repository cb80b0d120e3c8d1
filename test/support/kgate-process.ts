// Runs kgate as a child process — under Bun, under Deno, or as the compiled binary — with a
// config file written for the test, and waits until it is ready.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { REPO_ROOT } from "./kafka.ts";

export type KgateRuntime = "bun" | "deno" | "binary";

export interface KgateProcess {
  bootstrap: string;
  port: number;
  adminUrl: string;
  adminToken: string;
  dir: string;
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  child: ChildProcess;
}

// Blocks stay below Linux's ephemeral range (32768-60999): client sockets take their local ports
// from there, and one of them in TIME_WAIT on a port makes a listen() on that port fail.
const PORT_BLOCKS_FROM = 20000;
const PORT_BLOCKS_TO = 32700;
let portCursor = PORT_BLOCKS_FROM + Math.floor(Math.random() * ((PORT_BLOCKS_TO - PORT_BLOCKS_FROM) / 50)) * 50;

/** A block of free-looking ports: bootstrap, then broker ports, then admin at +40. */
export function nextPortBlock(): number {
  portCursor += 50;
  if (portCursor + 50 > PORT_BLOCKS_TO) portCursor = PORT_BLOCKS_FROM;
  return portCursor;
}

export function kgateCommand(runtime: KgateRuntime): string[] {
  const bin = join(REPO_ROOT, "node_modules", ".bin");
  switch (runtime) {
    case "bun":
      return [join(bin, "bun"), join(REPO_ROOT, "src", "main.ts")];
    case "deno":
      return [join(bin, "deno"), "run", "-A", join(REPO_ROOT, "src", "main.ts")];
    case "binary":
      return [join(REPO_ROOT, "dist", "kgate")];
  }
}

export function binaryAvailable(): boolean {
  return existsSync(join(REPO_ROOT, "dist", "kgate"));
}

export interface KgateOptions {
  runtime?: KgateRuntime;
  backing: string;
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  /** A bootstrap port (admin at +40) another kgate used, e.g. to restart on the same address. */
  port?: number;
}

/**
 * Starts kgate on a fresh port block. Other test runs on the machine pick blocks too: when one
 * of ours turns out taken (kgate says it cannot listen), the start is retried on the next block.
 */
export async function startKgate(options: KgateOptions): Promise<KgateProcess> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startKgateOnce(options);
    } catch (e) {
      if (attempt === 4 || !/cannot listen on .*(Failed to listen|AddrInUse|in use)/.test(String(e))) throw e;
    }
  }
}

async function startKgateOnce(options: KgateOptions): Promise<KgateProcess> {
  const runtime = options.runtime ?? "bun";
  const port = options.port ?? nextPortBlock();
  const adminPort = port + 40;
  const adminToken = `admin-${crypto.randomUUID()}`; // admin.token needs 16 characters or more
  const dir = mkdtempSync(join(tmpdir(), "kgate-e2e-"));
  const base: Record<string, unknown> = {
    listener: { host: "127.0.0.1", port, advertisedHost: "127.0.0.1" },
    backing: { bootstrapServers: [options.backing] },
    admin: { host: "127.0.0.1", port: adminPort, token: adminToken },
    store: { type: "file", path: join(dir, "store.json") },
  };
  // Sections given by the test are merged key by key into the defaults above (ports stay).
  const config: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(options.config ?? {})) {
    const current = base[key];
    const bothObjects = value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object";
    config[key] = bothObjects ? { ...(current as object), ...(value as object) } : value;
  }

  const configPath = join(dir, "kgate.yaml");
  writeFileSync(configPath, stringify(config));
  const [cmd, ...args] = kgateCommand(runtime);
  const child = spawn(cmd!, [...args, "serve", "--config", configPath], {
    cwd: dir,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!output.includes("kgate ready")) {
    if (child.exitCode !== null) throw new Error(`kgate (${runtime}) exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`kgate (${runtime}) did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    adminToken,
    dir,
    child,
    logs: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Calls kgate's admin API; throws with the body on a non-2xx answer. */
export async function adminCall<T = unknown>(k: KgateProcess, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${k.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${k.adminToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Writes a client .properties file into the kgate test dir and returns its path. */
export function writeProperties(k: KgateProcess, name: string, text: string): string {
  const p = join(k.dir, name);
  writeFileSync(p, text);
  return p;
}

/** Waits (up to `ms`) for `text` to appear in kgate's output; log lines trail the events a little. */
export async function waitForLog(k: KgateProcess, text: string, ms = 3000): Promise<string> {
  for (const end = Date.now() + ms; Date.now() < end && !k.logs().includes(text);) await new Promise((r) => setTimeout(r, 25));
  return k.logs();
}
