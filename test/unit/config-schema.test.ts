import { describe, expect, test } from "bun:test";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/config/config-error.ts";
import { substituteEnv } from "../../src/config/env-substitution.ts";
import { loadConfig, parseConfigObject, parseConfigText } from "../../src/config/load-config.ts";
import { configSchema } from "../../src/config/schema.ts";
import { nodeFileRuntime, writeText } from "../support/node-runtime.ts";

const noEnv = () => undefined;
const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.reason}`);
  }
  throw new Error("expected a ConfigError");
}

describe("config defaults", () => {
  test("an empty document gives the embedded defaults (README, Configuration)", () => {
    const config = configSchema.parse({});
    expect(config.listener).toEqual({ host: "127.0.0.1", port: 6969, advertisedHost: "127.0.0.1" });
    expect(config.backing.bootstrapServers).toEqual(["127.0.0.1:9092"]);
    expect(config.admin).toEqual({ host: "127.0.0.1", port: 8888, publicDocs: false });
    expect(config.store).toEqual({ type: "file", path: "./kgate-data/store.json", topic: "_kgate_state" });
    expect(config.limits.maxFrameBytes).toBe(104_857_600);
    expect(config.auth.users).toEqual([]);
    expect(config.vclusters).toEqual([]);
  });

  test("a wildcard listener host advertises 127.0.0.1 unless told otherwise", () => {
    expect(configSchema.parse({ listener: { host: "0.0.0.0" } }).listener.advertisedHost).toBe("127.0.0.1");
    expect(configSchema.parse({ listener: { host: "0.0.0.0", advertisedHost: "gw" } }).listener.advertisedHost).toBe("gw");
  });

  test("the README's example configuration parses", () => {
    const config = parseConfigText(
      `
listener:
  host: 127.0.0.1
  port: 6969
  advertisedHost: 127.0.0.1
backing:
  bootstrapServers: ["127.0.0.1:9092"]
  sasl: {mechanism: SCRAM-SHA-512, username: gateway, password: "\${KAFKA_PASSWORD}"}
admin:
  host: 127.0.0.1
  port: 8888
  token: "\${KGATE_ADMIN_TOKEN}"
store:
  type: file
  path: ./kgate-data/store.json
auth:
  tokenSecret: "\${KGATE_TOKEN_SECRET}"
`,
      envOf({ KAFKA_PASSWORD: "pw", KGATE_ADMIN_TOKEN: "admin-token-0123456789", KGATE_TOKEN_SECRET: "s".repeat(32) }),
      "example.yaml",
    );
    expect(config.backing.sasl).toEqual({ mechanism: "SCRAM-SHA-512", username: "gateway", password: "pw" });
    expect(config.admin.token).toBe("admin-token-0123456789");
    expect(config.auth.tokenSecret).toBe("s".repeat(32));
  });
});

describe("config errors name each bad key", () => {
  test("wrong type quotes the value", () => {
    expect(problemsOf(() => parseConfigText("listener:\n  port: abc\n", noEnv, "gw.yaml"))).toEqual([
      'listener.port: expected number, received "abc"',
    ]);
  });

  test("the message lists every problem with its path", () => {
    let message = "";
    try {
      parseConfigText(
        `
listener: {port: 70000, anonymous: Not-A-Label, extra: 1}
listner: {}
backing: {bootstrapServers: "a:1,b", sasl: {mechanism: GSSAPI, username: u, password: ""}}
store: {type: s3}
auth: {tokenSecret: short, users: [{username: u}]}
`,
        noEnv,
        "gw.yaml",
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toStartWith("invalid configuration in gw.yaml:\n");
    for (
      const line of [
        "listener.port: must be <= 65535, received 70000",
        "listener.anonymous: must be a DNS label (lowercase letters, digits, '-'), received \"Not-A-Label\"",
        "listener.extra: unknown key",
        "listner: unknown key",
        'backing.bootstrapServers[1]: must be "host:port", received "b"',
        'backing.sasl.mechanism: expected one of "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", received "GSSAPI"',
        "backing.sasl.password: must not be empty (is its environment variable set?)",
        'store.type: expected one of "file", "kafka", received "s3"',
        "auth.tokenSecret: must be at least 32 characters (HS256 needs a 256-bit key)",
        "auth.users[0].password: required",
        "auth.users[0].vcluster: required",
      ]
    ) {
      expect(message).toContain(`  ${line}`);
    }
  });

  test("declared vclusters must not collide", () => {
    expect(
      problemsOf(() =>
        parseConfigObject(
          { vclusters: [{ name: "a" }, { name: "b", prefix: "a_x" }, { name: "a" }, { name: "c", prefix: "_c" }] },
          noEnv,
          "x",
        )
      ),
    ).toEqual([
      "vclusters[3].prefix: prefix must start with a letter or digit and contain only letters, digits, '.', '_' and '-'",
      `vclusters[1].prefix: prefix "a_x" collides with prefix "a." of vcluster "a": Kafka treats '.' and '_' in topic names as the same`,
      'vclusters[2].name: duplicate vcluster "a"',
    ]);
    expect(problemsOf(() => parseConfigObject({ vclusters: [{ name: "passthrough" }] }, noEnv, "x"))).toEqual([
      'vclusters[0].name: "passthrough" is reserved',
    ]);
  });

  test("YAML syntax errors are reported, not thrown raw", () => {
    expect(problemsOf(() => parseConfigText("listener: [", noEnv, "gw.yaml"))[0]).toStartWith("(yaml): ");
  });
});

describe("environment substitution", () => {
  test("${VAR}, ${VAR:-fallback} and $${ escapes in nested values", () => {
    const env = envOf({ HOST: "kafka", EMPTY: "" });
    expect(
      substituteEnv({ a: ["${HOST}:9092", "${MISSING}x"], b: { c: "${EMPTY:-dflt}", d: "$${HOST}", e: 5 } }, env),
    ).toEqual({ a: ["kafka:9092", "x"], b: { c: "dflt", d: "${HOST}", e: 5 } });
  });

  test("unset optional secrets count as absent; numbers and lists come from strings", () => {
    const config = parseConfigText(
      'admin: {token: "${NOPE}"}\nlistener: {port: "${PORT}"}\nbacking: {bootstrapServers: "${BOOT}"}\n',
      envOf({ PORT: "7000", BOOT: "k1:9092, k2:9092" }),
      "x",
    );
    expect(config.admin.token).toBeUndefined();
    expect(config.listener.port).toBe(7000);
    expect(config.backing.bootstrapServers).toEqual(["k1:9092", "k2:9092"]);
  });

  test("KGATE_ADMIN_TOKEN and KGATE_TOKEN_SECRET fill in for missing keys, and are validated", () => {
    const config = parseConfigObject({}, envOf({ KGATE_ADMIN_TOKEN: "admin-token-from-env", KGATE_TOKEN_SECRET: "k".repeat(40) }), "x");
    expect(config.admin.token).toBe("admin-token-from-env");
    expect(config.auth.tokenSecret).toBe("k".repeat(40));
    const fromFile = parseConfigObject({ admin: { token: "admin-token-from-file" } }, envOf({ KGATE_ADMIN_TOKEN: "admin-token-from-env" }), "x");
    expect(fromFile.admin.token).toBe("admin-token-from-file");
    expect(problemsOf(() => parseConfigObject({}, envOf({ KGATE_ADMIN_TOKEN: "adm" }), "x"))[0]).toStartWith("admin.token:");
    expect(problemsOf(() => parseConfigObject({}, envOf({ KGATE_TOKEN_SECRET: "short" }), "x"))[0]).toStartWith("auth.tokenSecret:");
  });
});

describe("loadConfig", () => {
  test("reads --config, falls back to KGATE_CONFIG, then to defaults", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-config-"));
    const a = join(dir, "a.yaml");
    const b = join(dir, "b.yaml");
    await writeText(a, "listener: {port: 7001}\n");
    await writeText(b, "listener: {port: 7002}\n");
    const files = nodeFileRuntime();
    expect((await loadConfig({ path: a, env: envOf({ KGATE_CONFIG: b }), files })).listener.port).toBe(7001);
    expect((await loadConfig({ env: envOf({ KGATE_CONFIG: b }), files })).listener.port).toBe(7002);
    expect((await loadConfig({ env: noEnv, files })).listener.port).toBe(6969);
  });

  test("a missing file is an error, not silently the defaults", async () => {
    const error = await loadConfig({ path: "/nonexistent/kgate.yaml", env: noEnv, files: nodeFileRuntime() }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("/nonexistent/kgate.yaml");
    expect(error.message).toContain("file not found");
  });

  test("an empty file means defaults", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-config-"));
    await writeText(join(dir, "empty.yaml"), "");
    expect((await loadConfig({ path: join(dir, "empty.yaml"), env: noEnv, files: nodeFileRuntime() })).admin.port).toBe(8888);
  });
});
