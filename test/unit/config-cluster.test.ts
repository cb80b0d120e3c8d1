// Cluster mode's config: defaults, and the combinations refused with a path and a reason.
import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/config/config-error.ts";
import { parseConfigObject } from "../../src/config/load-config.ts";
import { configSchema } from "../../src/config/schema.ts";

function problemsOf(input: unknown): string[] {
  try {
    parseConfigObject(input, () => undefined, "test.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.reason}`);
  }
  throw new Error("expected a ConfigError");
}

describe("cluster config", () => {
  test("defaults: advertise self (unset), heartbeats every second to _kgate_cluster, 5 s expiry", () => {
    const config = configSchema.parse({});
    expect(config.listener.advertise).toBeUndefined();
    expect(config.cluster).toEqual({ topic: "_kgate_cluster", heartbeatMs: 1000, expiryMs: 5000 });
  });

  test("refused: a topic outside _kgate*, expiry under two heartbeats, a node id with spaces, cluster with SNI", () => {
    const problems = problemsOf({
      listener: { advertise: "cluster", tls: { cert: "c.pem", key: "k.pem" }, sni: { advertisedDomain: "kgate.example.com" } },
      cluster: { topic: "nodes", heartbeatMs: 1000, expiryMs: 1500, nodeId: "node one" },
    });
    expect(problems.some((p) => p.startsWith("listener.advertise:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("cluster.topic:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("cluster.nodeId:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("cluster.expiryMs:") || p.startsWith("cluster:"))).toBe(true);
  });
});
