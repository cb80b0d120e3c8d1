// SNI routing without a network: which SNI names route where, what the broker directory
// advertises with it on, and the config rules of `listener.sni`.
import { describe, expect, test } from "bun:test";
import { BrokerDirectory } from "../../src/gateway/broker-directory.ts";
import { SniNames } from "../../src/gateway/sni-names.ts";
import { ConfigError } from "../../src/config/config-error.ts";
import { parseConfigObject } from "../../src/config/load-config.ts";
import { bootstrapAddress } from "../../src/admin/client-properties.ts";

const noEnv = () => undefined;
const plain = new SniNames({ advertisedDomain: "kgate.test", vclusterInHost: false }, ["gw.example"]);
const withVcluster = new SniNames({ advertisedDomain: "kgate.test", vclusterInHost: true });

describe("SNI names", () => {
  test("broker and bootstrap names route to their broker, any case, trailing dot or not", () => {
    expect(plain.route("b0.kgate.test")).toEqual({ kind: "broker", nodeId: 0 });
    expect(plain.route("B12.KGATE.test.")).toEqual({ kind: "broker", nodeId: 12 });
    expect(plain.route("bootstrap.kgate.test")).toEqual({ kind: "bootstrap" });
    expect(plain.route("gw.example")).toEqual({ kind: "bootstrap" });
  });

  test("no SNI at all (a client that dialled an IP address) is a bootstrap connection", () => {
    expect(plain.route(undefined)).toEqual({ kind: "bootstrap" });
    expect(plain.route("")).toEqual({ kind: "bootstrap" });
  });

  test("any other name is refused with a reason naming it", () => {
    for (
      const name of [
        "kgate.test",
        "b0.other.test",
        "x0.kgate.test",
        "b01.kgate.test",
        "b-1.kgate.test",
        "b99999999999.kgate.test",
        "b0.vc-a.kgate.test",
        "b0kgate.test",
      ]
    ) {
      const route = plain.route(name);
      expect(route.kind).toBe("refused");
      if (route.kind === "refused") expect(route.reason).toContain(name);
    }
  });

  test("with vclusterInHost the middle label names the vcluster; the bare names still route", () => {
    expect(withVcluster.route("b3.vc-alice.kgate.test")).toEqual({ kind: "broker", nodeId: 3, vcluster: "vc-alice" });
    expect(withVcluster.route("bootstrap.vc-alice.kgate.test")).toEqual({ kind: "bootstrap", vcluster: "vc-alice" });
    expect(withVcluster.route("b3.kgate.test")).toEqual({ kind: "broker", nodeId: 3 });
    for (const name of ["b3.-bad.kgate.test", "b3.a.b.kgate.test", "b3..kgate.test"]) expect(withVcluster.route(name).kind).toBe("refused");
  });

  test("advertised names carry the vcluster only with vclusterInHost", () => {
    expect(plain.brokerHost(2, "vc-alice")).toBe("b2.kgate.test");
    expect(withVcluster.brokerHost(2, "vc-alice")).toBe("b2.vc-alice.kgate.test");
    expect(withVcluster.brokerHost(2)).toBe("b2.kgate.test");
    expect(withVcluster.bootstrapHost("vc-alice")).toBe("bootstrap.vc-alice.kgate.test");
    // What kgate advertises, it routes back to the same broker and vcluster.
    expect(withVcluster.route(withVcluster.brokerHost(7, "vc-bob"))).toEqual({ kind: "broker", nodeId: 7, vcluster: "vc-bob" });
  });
});

describe("broker directory with SNI routing", () => {
  const opened: number[] = [];
  const directory = new BrokerDirectory({
    advertisedHost: "gw.example",
    brokerPortBase: 7001,
    brokerPorts: {},
    openBrokerListener: (nodeId) => {
      opened.push(nodeId);
      return Promise.resolve();
    },
    sni: { names: withVcluster, port: 7000 },
  });

  test("every broker is advertised on the one port under its name, and no listener opens", async () => {
    expect(await directory.advertise(0, "10.0.0.1", 9092)).toEqual({ host: "b0.kgate.test", port: 7000 });
    expect(await directory.advertise(1, "10.0.0.2", 9092)).toEqual({ host: "b1.kgate.test", port: 7000 });
    expect(opened).toEqual([]);
    expect(directory.backingFor(1)).toEqual({ host: "10.0.0.2", port: 9092 });
  });

  test("a scoped view advertises its vcluster's names and shares the brokers seen", async () => {
    // deno-lint-ignore prefer-const -- the scoped directory reads it through a closure, and it changes below
    let vcluster: string | undefined;
    const scoped = directory.scopedTo(() => vcluster);
    expect(await scoped.advertise(2, "10.0.0.3", 9092)).toEqual({ host: "b2.kgate.test", port: 7000 });
    vcluster = "vc-alice";
    expect(await scoped.advertise(2, "10.0.0.3", 9092)).toEqual({ host: "b2.vc-alice.kgate.test", port: 7000 });
    expect(directory.backingFor(2)).toEqual({ host: "10.0.0.3", port: 9092 });
    expect(await directory.advertise(2, "10.0.0.3", 9092)).toEqual({ host: "b2.kgate.test", port: 7000 });
  });

  test("port-per-broker stays the default: own port, a listener per broker", async () => {
    const perPort = new BrokerDirectory({
      advertisedHost: "gw.example",
      brokerPortBase: 7001,
      brokerPorts: { "5": 7100 },
      openBrokerListener: (nodeId) => {
        opened.push(nodeId);
        return Promise.resolve();
      },
    });
    expect(await perPort.advertise(0, "10.0.0.1", 9092)).toEqual({ host: "gw.example", port: 7001 });
    expect(await perPort.advertise(5, "10.0.0.6", 9092)).toEqual({ host: "gw.example", port: 7100 });
    expect(opened).toEqual([0, 5]);
  });
});

describe("listener.sni config", () => {
  const tls = { cert: "c.pem", key: "k.pem" };
  const problems = (listener: Record<string, unknown>): string[] => {
    try {
      parseConfigObject({ listener }, noEnv, "gw.yaml");
      return [];
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems.map((p) => `${p.path}: ${p.reason}`);
    }
  };

  test("defaults vclusterInHost to false", () => {
    const config = parseConfigObject({ listener: { tls, sni: { advertisedDomain: "kgate.example.com" } } }, noEnv, "gw.yaml");
    expect(config.listener.sni).toEqual({ advertisedDomain: "kgate.example.com", vclusterInHost: false });
  });

  test("client properties bootstrap from the SNI bootstrap name", () => {
    const sni = parseConfigObject({ listener: { port: 7000, tls, sni: { advertisedDomain: "kgate.example.com" } } }, noEnv, "gw.yaml");
    expect(bootstrapAddress(sni.listener)).toBe("bootstrap.kgate.example.com:7000");
    const perPort = parseConfigObject({ listener: { port: 7000, advertisedHost: "gw.example", tls } }, noEnv, "gw.yaml");
    expect(bootstrapAddress(perPort.listener)).toBe("gw.example:7000");
  });

  test("needs TLS, a DNS name, and no pinnedVcluster next to vclusterInHost", () => {
    expect(problems({ sni: { advertisedDomain: "kgate.test" } })).toEqual(["listener.sni: needs listener.tls (SNI is a TLS handshake field)"]);
    expect(problems({ tls, sni: { advertisedDomain: "Kgate_Test" } })[0]).toStartWith("listener.sni.advertisedDomain: must be a lowercase DNS name");
    expect(problems({ tls, brokerPortBase: 7001, sni: { advertisedDomain: "kgate.test" } })).toEqual([
      "listener.brokerPortBase: not used with listener.sni (every broker is served on listener.port)",
    ]);
    expect(problems({ tls, pinnedVcluster: "vc-a", sni: { advertisedDomain: "kgate.test", vclusterInHost: true } })[0]).toStartWith(
      "listener.sni.vclusterInHost: cannot be combined with listener.pinnedVcluster",
    );
  });
});
