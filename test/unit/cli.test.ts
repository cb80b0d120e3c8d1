import { describe, expect, test } from "bun:test";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliDeps } from "../../src/cli/cli-deps.ts";
import { HELP } from "../../src/cli/help.ts";
import { runCli } from "../../src/cli/run-cli.ts";
import { parseArgs } from "../../src/cli/parse-args.ts";
import type { Config } from "../../src/config/schema.ts";
import { VERSION } from "../../src/base/version.ts";
import { ADMIN_TOKEN, controlPlane } from "../support/control-plane-fixture.ts";
import { nodeFileRuntime, writeText } from "../support/node-runtime.ts";

function harness(env: Record<string, string> = {}, fetchFn?: typeof fetch) {
  const out: string[] = [];
  const err: string[] = [];
  const served: Config[] = [];
  const deps: CliDeps = {
    runtime: { name: "bun", ...nodeFileRuntime(env) },
    serve: async (config) => void served.push(config),
    fetch: fetchFn,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
  };
  const run = (...argv: string[]) => runCli(argv, deps);
  return { run, out, err, served };
}

async function withAdmin() {
  const plane = await controlPlane();
  const requests: string[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push(`${init?.method ?? "GET"} ${String(input)}`);
    return plane.app.request(String(input), init);
  }) as typeof fetch;
  return { plane, requests, ...harness({ KGATE_ADMIN_TOKEN: ADMIN_TOKEN }, fetchFn) };
}

describe("parseArgs", () => {
  const specs = {
    config: { type: "string" },
    json: { type: "boolean" },
    label: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  } as const;
  test("flags in both forms, repeats, booleans, short names and --", () => {
    expect(parseArgs(["a", "--config", "x.yaml", "--label=k=v", "--label", "z=1", "--json", "-h", "--", "--raw"], specs)).toEqual({
      flags: { config: "x.yaml", label: ["k=v", "z=1"], json: true, help: true },
      positionals: ["a", "--raw"],
    });
  });
  test("unknown, duplicated and valueless flags are usage errors", () => {
    expect(() => parseArgs(["--nope"], specs)).toThrow("unknown option --nope");
    expect(() => parseArgs(["--config", "a", "--config", "b"], specs)).toThrow("given twice");
    expect(() => parseArgs(["--config"], specs)).toThrow("needs a value");
    expect(() => parseArgs(["--json=1"], specs)).toThrow("takes no value");
  });
});

describe("kgate help and version", () => {
  test("--help works on every command", async () => {
    const cases: [string[], string][] = [
      [["--help"], HELP.main],
      [["help"], HELP.main],
      [["serve", "--help"], HELP.serve],
      [["version", "-h"], HELP.version],
      [["vcluster", "--help"], HELP.vcluster],
      [["vcluster", "list", "--help"], HELP["vcluster list"]],
      [["vcluster", "create", "--help"], HELP["vcluster create"]],
      [["vcluster", "delete", "-h"], HELP["vcluster delete"]],
      [["token", "--help"], HELP.token],
      [["token", "create", "--help"], HELP["token create"]],
      [["token", "revoke", "--help"], HELP["token revoke"]],
      [["service-account", "--help"], HELP["service-account"]],
      [["service-account", "create", "--help"], HELP["service-account create"]],
      [["service-account", "delete", "-h"], HELP["service-account delete"]],
      [["status", "--help"], HELP.status],
      [["completion", "--help"], HELP.completion],
    ];
    for (const [argv, help] of cases) {
      const h = harness();
      expect([argv, await h.run(...argv)]).toEqual([argv, 0]);
      expect(h.out).toEqual([help]);
    }
  });

  test("usage errors exit 2 with a reason", async () => {
    for (
      const argv of [[], ["frobnicate"], ["serve", "--bogus"], ["vcluster"], ["vcluster", "rename"], ["vcluster", "create"], ["token", "create", "vc"], [
        "vcluster",
        "constructor",
      ]]
    ) {
      const h = harness({ KGATE_ADMIN_TOKEN: "cli-test-admin-token" });
      expect([argv, await h.run(...argv)]).toEqual([argv, 2]);
      expect(h.err.join("\n").length).toBeGreaterThan(0);
    }
  });

  test("version prints version, commit and runtime", async () => {
    const h = harness();
    expect(await h.run("version")).toBe(0);
    expect(h.out).toEqual([`kgate ${VERSION} (dev) bun`]);
  });
});

describe("kgate serve", () => {
  test("loads the config named by --config and hands it to serve", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-cli-"));
    await writeText(join(dir, "gw.yaml"), "listener: {port: 7100}\n");
    const h = harness();
    expect(await h.run("serve", "--config", join(dir, "gw.yaml"))).toBe(0);
    expect(h.served.map((c) => c.listener.port)).toEqual([7100]);
  });

  test("embedded defaults without a config", async () => {
    const h = harness();
    expect(await h.run("serve")).toBe(0);
    expect(h.served[0]?.admin.port).toBe(8888);
  });

  test("a bad config exits 1 with each bad key and does not serve", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-cli-"));
    await writeText(join(dir, "bad.yaml"), "listener: {port: abc}\n");
    const h = harness({ KGATE_CONFIG: join(dir, "bad.yaml") });
    expect(await h.run("serve")).toBe(1);
    expect(h.err[0]).toContain('listener.port: expected number, received "abc"');
    expect(h.served).toEqual([]);
  });
});

describe("admin commands over HTTP", () => {
  test("vcluster create, list and delete", async () => {
    const { run, out, requests, plane } = await withAdmin();
    expect(await run("vcluster", "create", "vc-alice")).toBe(0);
    expect(await run("vcluster", "create", "vc-bob", "--prefix", "bob-", "--label", "team=b")).toBe(0);
    expect(plane.store.getVcluster("vc-bob")).toMatchObject({ prefix: "bob-", labels: { team: "b" } });
    expect(await run("vcluster", "list")).toBe(0);
    expect(out.at(-1)).toMatch(/^NAME\s+PREFIX\s+CREATED\s+LABELS\nvc-alice\s+vc-alice\.\s+\S+\s*\nvc-bob\s+bob-\s+\S+\s+team=b$/);
    expect(await run("vcluster", "delete", "vc-alice")).toBe(0);
    expect(await run("vcluster", "list", "--json")).toBe(0);
    expect(JSON.parse(out.at(-1)!).vclusters.map((v: { name: string }) => v.name)).toEqual(["vc-bob"]);
    expect(requests[0]).toBe("PUT http://127.0.0.1:8888/v1/vclusters/vc-alice");
  });

  test("API refusals exit 1 with the reason and the issue list", async () => {
    const { run, err } = await withAdmin();
    await run("vcluster", "create", "alice");
    expect(await run("vcluster", "create", "x", "--prefix", "alice_")).toBe(1);
    expect(err.at(-1)).toContain("409");
    expect(err.at(-1)).toContain("'.' and '_'");
    expect(await run("vcluster", "create", "Bad_Name")).toBe(1);
    expect(err.at(-1)).toContain("name: must be a DNS label");
    expect(await run("vcluster", "delete", "ghost")).toBe(1);
    expect(err.at(-1)).toContain("404");
  });

  test("vcluster create --backing-acls asks the API for backing ACLs, and shows its refusal", async () => {
    const { run, err, plane } = await withAdmin();
    // This in-process admin API has no backing cluster to manage: 409 with the reason, nothing created.
    expect(await run("vcluster", "create", "vc-carol", "--backing-acls")).toBe(1);
    expect(err.at(-1)).toContain("409");
    expect(err.at(-1)).toContain("backing ACLs are not available");
    expect(plane.store.getVcluster("vc-carol")).toBeUndefined();
  });

  test("token create writes a properties file; token revoke revokes it", async () => {
    const { run, out, plane } = await withAdmin();
    await run("vcluster", "create", "vc-alice");
    const dir = await mkdtemp(join(tmpdir(), "kgate-cli-"));
    const file = join(dir, "alice.properties");
    expect(await run("token", "create", "vc-alice", "--user", "alice", "--lifetime", "600", "--properties", file)).toBe(0);
    const properties = await readFile(file, "utf8");
    expect(properties).toContain("bootstrap.servers=127.0.0.1:6969\n");
    expect(properties).toMatch(/PlainLoginModule required username="alice" password="[\w-]+\.[\w-]+\.[\w-]+";/);
    const jti = /token id (\S+),/.exec(out.at(-1)!)?.[1];
    expect(jti).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(await run("token", "revoke", "vc-alice", jti!)).toBe(0);
    expect(plane.store.isTokenRevoked(jti!)).toBe(true);

    expect(await run("token", "create", "vc-alice", "--user", "bob")).toBe(0);
    expect(out.at(-1)).toContain('username="bob"');
    expect(await run("token", "create", "vc-alice", "--user", "bob", "--lifetime", "soon")).toBe(2);
  });

  test("service-account create stores SCRAM keys, rotates, writes properties; delete removes it", async () => {
    const { run, out, plane } = await withAdmin();
    await run("vcluster", "create", "vc-alice");
    expect(await run("service-account", "create", "vc-alice", "--user", "billing")).toBe(0);
    const shown = out.join("\n");
    expect(shown).toMatch(/service account billing@vc-alice \(password shown once: \S{16,}\)/);
    expect(shown).toContain("sasl.mechanism=SCRAM-SHA-512");
    const account = plane.store.listServiceAccounts("vc-alice").find((a) => a.username === "billing")!;
    expect(account.scram?.["SCRAM-SHA-512"]?.iterations).toBe(4096);
    expect(JSON.stringify(account)).not.toContain(/password shown once: (\S+)\)/.exec(shown)![1]!);
    const dir = await mkdtemp(join(tmpdir(), "kgate-cli-"));
    const file = join(dir, "billing.properties");
    expect(await run("service-account", "create", "vc-alice", "--user", "billing", "--password", "a-long-new-password-42", "--properties", file)).toBe(0);
    expect(out.at(-1)).toBe(`new password for service account billing@vc-alice: client properties written to ${file}`);
    expect(await readFile(file, "utf8")).toContain('username="billing@vc-alice" password="a-long-new-password-42"');
    expect(await run("service-account", "delete", "vc-alice", "billing")).toBe(0);
    expect(plane.store.listServiceAccounts("vc-alice")).toEqual([]);
    expect(await run("service-account", "create", "vc-alice")).toBe(2); // --user is required
  });

  test("the admin URL and token come from flags, env, config or kgate's local admin-token file", async () => {
    const plane = await controlPlane();
    const seen: string[] = [];
    const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
      seen.push(`${String(input)} ${new Headers(init?.headers).get("authorization")}`);
      return plane.app.request(String(input), init);
    }) as typeof fetch;

    const flags = harness({}, fetchFn);
    expect(await flags.run("vcluster", "list", "--admin-url", "http://kgate:9999/", "--admin-token", ADMIN_TOKEN)).toBe(0);
    expect(seen.at(-1)).toBe(`http://kgate:9999/v1/vclusters Bearer ${ADMIN_TOKEN}`);

    const dir = await mkdtemp(join(tmpdir(), "kgate-cli-"));
    const storePath = join(dir, "store.json");
    // The key file kgate generated next to its store, as kgate writes it.
    await writeText(join(dir, "admin-token"), `${ADMIN_TOKEN}\n`);
    await writeText(join(dir, "gw.yaml"), `admin: {host: 0.0.0.0, port: 8899}\nstore: {path: ${JSON.stringify(storePath)}}\n`);
    const local = harness({}, fetchFn);
    expect(await local.run("vcluster", "list", "--config", join(dir, "gw.yaml"))).toBe(0);
    expect(seen.at(-1)).toBe(`http://127.0.0.1:8899/v1/vclusters Bearer ${ADMIN_TOKEN}`);

    const none = harness({ KGATE_CONFIG: "" }, fetchFn);
    expect(await none.run("vcluster", "list", "--config", join(dir, "missing.yaml"))).toBe(1);
    const noToken = harness({}, fetchFn);
    await writeText(join(dir, "nostore.yaml"), `store: {path: ${JSON.stringify(join(dir, "elsewhere", "nope.json"))}}\n`);
    expect(await noToken.run("vcluster", "list", "--config", join(dir, "nostore.yaml"))).toBe(2);
    expect(noToken.err[0]).toContain("no admin token");
  });

  test("an unreachable admin API is a clear failure", async () => {
    const failing = (async () => {
      throw new TypeError("connection refused");
    }) as unknown as typeof fetch;
    const h = harness({ KGATE_ADMIN_TOKEN: "cli-test-admin-token" }, failing);
    expect(await h.run("vcluster", "list")).toBe(1);
    expect(h.err[0]).toContain("cannot reach the kgate admin API at http://127.0.0.1:8888");
  });
});

describe("kgate status", () => {
  test("one table: every vcluster with connections and bytes in/out, other views with traffic after", async () => {
    const { run, out, plane } = await withAdmin();
    await run("vcluster", "create", "vc-alice");
    await run("vcluster", "create", "vc-bob");
    plane.metrics.connections.setAll([[{ vcluster: "vc-alice" }, 2], [{ vcluster: "unauthenticated" }, 1]]);
    plane.metrics.bytesIn.inc({ vcluster: "vc-alice" }, 1536);
    plane.metrics.bytesOut.inc({ vcluster: "vc-alice" }, 3 * 1024 * 1024);
    plane.metrics.bytesIn.inc({ vcluster: "unauthenticated" }, 90);
    plane.metrics.buildInfo.set({ version: "9.9.9", commit: "abc123", runtime: "deno" }, 1);
    expect(await run("status")).toBe(0);
    expect(out.at(-1)!.split("\n")).toEqual([
      "kgate 9.9.9 (abc123) on deno: 3 open connections",
      "",
      "VCLUSTER         CONNECTIONS  BYTES IN  BYTES OUT",
      "vc-alice         2            1.5 KiB   3.0 MiB",
      "vc-bob           0            0 B       0 B",
      "unauthenticated  1            90 B      0 B",
    ]);
    expect(await run("status", "--json")).toBe(0);
    expect(JSON.parse(out.at(-1)!).vclusters[0]).toEqual({ vcluster: "vc-alice", connections: 2, bytesIn: 1536, bytesOut: 3145728 });
  });

  test("--interval: two samples, throughput per vcluster from their difference", async () => {
    const plane = await controlPlane();
    await plane.store.putVcluster({ name: "vc-alice" });
    const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
      // Each scrape sees 1000 more bytes from vc-alice's clients than the one before.
      if (String(input).endsWith("/metrics")) plane.metrics.bytesIn.inc({ vcluster: "vc-alice" }, 1000);
      return plane.app.request(String(input), init);
    }) as typeof fetch;
    const h = harness({ KGATE_ADMIN_TOKEN: ADMIN_TOKEN }, fetchFn);
    expect(await h.run("status", "--interval", "0.1", "--json")).toBe(0);
    const [alice] = JSON.parse(h.out.at(-1)!).vclusters;
    expect(alice).toMatchObject({ vcluster: "vc-alice", bytesIn: 2000, bytesOutPerSecond: 0 });
    expect(alice.bytesInPerSecond).toBeGreaterThan(1000); // 1000 bytes over a little more than 0.1 s
    expect(alice.bytesInPerSecond).toBeLessThanOrEqual(10_000);
    expect(await h.run("status", "--interval", "0.1")).toBe(0);
    expect(h.out.at(-1)).toMatch(
      /VCLUSTER\s+CONNECTIONS\s+BYTES IN\s+BYTES OUT\s+IN\/S\s+OUT\/S\nvc-alice\s+0\s+3\.9 KiB\s+0 B\s+\d+(\.\d)? (B|KiB)\/s\s+0 B\/s$/,
    );
    expect(await h.run("status", "--interval", "0")).toBe(2);
    expect(await h.run("status", "--interval", "soon")).toBe(2);
  });

  test("usage: no arguments; --help", async () => {
    const { run, out } = await withAdmin();
    expect(await run("status", "extra")).toBe(2);
    expect(await run("status", "--help")).toBe(0);
    expect(out.at(-1)).toBe(HELP.status);
  });
});

describe("kgate completion", () => {
  const complete = async (script: string, line: string[]) => {
    // Runs the bash script's completion function as bash would for `line` (last word = cursor).
    const program = `${script}\nCOMP_WORDS=(${line.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${line.length - 1}; _kgate; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const proc = Bun.spawn(["bash", "-c", program], { stdout: "pipe", stderr: "pipe" });
    const text = await new Response(proc.stdout).text();
    expect(await proc.exited).toBe(0);
    return text.split("\n").filter(Boolean);
  };

  test("bash: commands, subcommands and flags complete from the CLI's own tables", async () => {
    const h = harness();
    expect(await h.run("completion", "bash")).toBe(0);
    const script = h.out[0]!;
    expect(await complete(script, ["kgate", "st"])).toEqual(["status"]);
    expect(await complete(script, ["kgate", "vcluster", ""])).toEqual(["list", "create", "delete"]);
    expect(await complete(script, ["kgate", "token", "create", "vc", "--pr"])).toEqual(["--properties"]);
    expect(await complete(script, ["kgate", "vcluster", "create", "--l"])).toEqual(["--label"]);
    expect(await complete(script, ["kgate", "completion", ""])).toEqual(["bash", "zsh"]);
  });

  // zsh is not a dependency of kgate; where it is installed, the script runs in it for real.
  test.skipIf(!Bun.which("zsh"))("zsh: the completion function offers the same words (compadd stubbed)", async () => {
    const h = harness();
    expect(await h.run("completion", "zsh")).toBe(0);
    const offered = async (words: string[]) => {
      const program = `compdef() { :; }\n_files() { print -r -- FILES; }\ncompadd() { shift; print -rl -- "$@"; }\n${h.out[0]}\n` +
        `words=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}; _kgate`;
      const proc = Bun.spawn(["zsh", "-f", "-c", program], { stdout: "pipe", stderr: "pipe" });
      const text = await new Response(proc.stdout).text();
      expect(await proc.exited).toBe(0);
      return text.split("\n").filter(Boolean);
    };
    expect(await offered(["kgate", "vcluster", ""])).toEqual(["list", "create", "delete"]);
    expect(await offered(["kgate", "token", "create", "vc", "--pr"])).toContain("--properties");
    expect(await offered(["kgate", "serve", "--config", ""])).toEqual(["FILES"]);
  });

  test("zsh: a compdef script with the same words; other shells are a usage error", async () => {
    const h = harness();
    expect(await h.run("completion", "zsh")).toBe(0);
    expect(h.out[0]).toStartWith("#compdef kgate\n");
    expect(h.out[0]).toContain('candidates="--prefix --label --properties --user --backing-acls --admin-url');
    expect(h.out[0]).toContain("compdef _kgate kgate");
    expect(await h.run("completion", "fish")).toBe(2);
    expect(h.err.at(-1)).toContain("bash, zsh");
    expect(await h.run("completion")).toBe(2);
  });
});

describe("kgate vcluster create --properties", () => {
  test("creates the vcluster and writes client properties with a token for --user", async () => {
    const { run, out, plane } = await withAdmin();
    const dir = await mkdtemp(join(tmpdir(), "kgate-cli-"));
    const file = join(dir, "alice.properties");
    expect(await run("vcluster", "create", "vc-alice", "--properties", file, "--user", "alice")).toBe(0);
    expect(plane.store.getVcluster("vc-alice")?.prefix).toBe("vc-alice.");
    const properties = await readFile(file, "utf8");
    expect(properties).toContain("bootstrap.servers=127.0.0.1:6969\n");
    const token = /PlainLoginModule required username="alice" password="([\w-]+\.[\w-]+\.[\w-]+)";/.exec(properties)?.[1];
    expect(token).toBeDefined();
    expect(await plane.signer.verify(token!, { now: plane.clock.now })).toMatchObject({ ok: true, claims: { sub: "alice", vcluster: "vc-alice" } });
    expect(out.at(-1)).toMatch(/^wrote client properties for alice to .*alice\.properties \(token id \S+, expires /);
  });

  test("the user defaults to the vcluster name; --json shows the vcluster with its token", async () => {
    const { run, out } = await withAdmin();
    const dir = await mkdtemp(join(tmpdir(), "kgate-cli-"));
    expect(await run("vcluster", "create", "vc-bob", "--properties", join(dir, "bob.properties"), "--json")).toBe(0);
    const shown = JSON.parse(out.at(-1)!);
    expect(shown).toMatchObject({ name: "vc-bob", token: { username: "vc-bob", vcluster: "vc-bob" } });
    expect(await readFile(join(dir, "bob.properties"), "utf8")).toContain('username="vc-bob"');
  });

  test("--user without --properties is a usage error, and nothing is created", async () => {
    const { run, err, plane } = await withAdmin();
    expect(await run("vcluster", "create", "vc-carol", "--user", "carol")).toBe(2);
    expect(err.at(-1)).toContain("--user only goes with --properties");
    expect(plane.store.getVcluster("vc-carol")).toBeUndefined();
  });
});
