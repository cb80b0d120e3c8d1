// `kgate doctor` against the real broker: passes with a working config (also while that kgate runs,
// its ports then being "in use by a running kgate"); fails with the fix for a closed backing port,
// a wrong backing password, an expired listener certificate and a config that does not validate.
// kgate under Bun and Deno.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { configSchema } from "../../src/config/schema.ts";
import { runDoctor } from "../../src/doctor/run-doctor.ts";
import { runtime as kgateRuntime } from "../../src/runtime/index.ts";
import { runCommand } from "../support/command.ts";
import { ensureTopic } from "../../src/client/admin-ops.ts";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { parseHostPort } from "../../src/client/upstream.ts";
import { kafkaBootstrap, kafkaCli, SASL_BOOTSTRAP, saslAvailable } from "../support/kafka.ts";
import { adminCall, kgateCommand, type KgateProcess, nextPortBlock, startKgate } from "../support/kgate-process.ts";
import { makeTestCa } from "../support/test-certs.ts";

async function doctor(runtime: "bun" | "deno", config: Record<string, unknown> | string) {
  const dir = mkdtempSync(join(tmpdir(), "kgate-doctor-"));
  const path = join(dir, "kgate.yaml");
  writeFileSync(path, typeof config === "string" ? config : stringify({ store: { path: join(dir, "data", "store.json") }, ...config }));
  const [cmd, ...pre] = kgateCommand(runtime);
  const r = await runCommand(cmd!, [...pre, "doctor", "--config", path], { timeoutMs: 60_000 });
  return { code: r.code, out: r.stdout + r.stderr };
}

/** The row of a check and, when it has one, its fix line. */
function row(out: string, check: string): string {
  const lines = out.split("\n");
  const i = lines.findIndex((l) => l.includes(check));
  if (i < 0) throw new Error(`no check "${check}" in:\n${out}`);
  return lines[i + 1]?.trim().startsWith("fix:") ? `${lines[i]}\n${lines[i + 1]}` : lines[i]!;
}

const ports = () => {
  const port = nextPortBlock();
  return { listener: { port }, admin: { port: port + 40, token: "doctor-admin-token-0123" } };
};

for (const runtime of ["bun", "deno"] as const) {
  describe(`kgate doctor (${runtime})`, () => {
    let backing: string;
    let running: KgateProcess;
    beforeAll(async () => {
      backing = await kafkaBootstrap();
      running = await startKgate({ runtime, backing });
    }, 60_000);
    afterAll(async () => {
      await running.stop();
    });

    test("passes against the local broker: every check ✓ or a warning, exit 0", async () => {
      const r = await doctor(runtime, { ...ports(), backing: { bootstrapServers: [backing] } });
      expect(r.code).toBe(0);
      expect(row(r.out, "configuration")).toMatch(/^✓ +config +configuration +valid/);
      expect(row(r.out, `${backing} reachable`)).toMatch(/^✓/);
      expect(row(r.out, "ApiVersions in common")).toMatch(/^✓ .*Produce v\d+-\d+/);
      expect(row(r.out, "message.max.bytes vs limits.maxFrameBytes")).toMatch(/^✓/);
      expect(row(r.out, "(Kafka bootstrap)")).toMatch(/^✓ .* free$/);
      expect(r.out).toMatch(/\n\d+ checks: \d+ passed, \d+ warnings, 0 failed\n?$/);
    }, 60_000);

    test("a running kgate's own ports are in use by it, which is fine", async () => {
      const r = await doctor(runtime, readFileSync(join(running.dir, "kgate.yaml"), "utf8"));
      expect(r.code).toBe(0);
      expect(row(r.out, "(Kafka bootstrap)")).toContain("in use by a running kgate");
      expect(row(r.out, "(admin API)")).toContain("in use by a running kgate");
    }, 60_000);

    test("a closed backing port fails with a fix, exit 1", async () => {
      const closed = `127.0.0.1:${nextPortBlock() + 7}`;
      const r = await doctor(runtime, { ...ports(), backing: { bootstrapServers: [closed] } });
      expect(r.code).toBe(1);
      expect(row(r.out, `${closed} reachable`)).toMatch(/^✗[^\n]*\n +fix: start the broker at 127\.0\.0\.1:\d+, or correct backing\.bootstrapServers/);
      expect(row(r.out, "TLS, SASL, APIs, broker settings")).toMatch(/^- /);
      expect(r.out).toMatch(/1 failed/);
    }, 60_000);

    test.skipIf(!saslAvailable())("a wrong backing password fails the SASL check with a fix, exit 1", async () => {
      const r = await doctor(runtime, {
        ...ports(),
        backing: { bootstrapServers: [SASL_BOOTSTRAP], sasl: { mechanism: "SCRAM-SHA-512", username: "gateway", password: "not-the-password" } },
      });
      expect(r.code).toBe(1);
      expect(row(r.out, "SASL SCRAM-SHA-512 login as gateway")).toMatch(
        /^✗ .*invalid credentials[^\n]*\n +fix: check backing\.sasl\.username and backing\.sasl\.password/,
      );
      const good = await doctor(runtime, {
        ...ports(),
        backing: { bootstrapServers: [SASL_BOOTSTRAP], sasl: { mechanism: "SCRAM-SHA-512", username: "gateway", password: "gateway-secret" } },
      });
      expect(row(good.out, "SASL SCRAM-SHA-512 login as gateway")).toMatch(/^✓ .*accepted$/);
    }, 60_000);

    test("a certificate about to expire warns, a key of another certificate fails; a bad config names its keys", async () => {
      const ca = makeTestCa();
      const soon = ca.server("soon", { days: 2 });
      const other = ca.server("other");
      const r = await doctor(runtime, {
        ...ports(),
        backing: { bootstrapServers: [backing] },
        listener: { ...ports().listener, tls: { cert: soon.cert, key: other.key } },
      });
      expect(r.code).toBe(1);
      expect(row(r.out, `listener.tls.cert ${soon.cert}`)).toMatch(/^! .*expires in [12] days[^\n]*\n +fix: renew the certificate soon/);
      expect(row(r.out, `listener.tls.key ${other.key}`)).toMatch(/^✗ .*is not the private key of the certificate/);

      const bad = await doctor(runtime, { listener: { port: "abc" }, limits: { maxConections: 5 } });
      expect(bad.code).toBe(1);
      expect(row(bad.out, "configuration")).toMatch(/^✗ .*listener\.port: expected number.*limits\.maxConections: unknown key/);
      expect(row(bad.out, "backing, store, listeners")).toMatch(/^- /);
    }, 60_000);
  });
}

// The clock moved past a certificate's end (openssl cannot issue one already expired).
test("an expired listener certificate fails with a fix", async () => {
  const ca = makeTestCa();
  const cert = ca.server("short", { days: 1 });
  const results = await runDoctor({
    runtime: kgateRuntime,
    source: "test",
    loadConfig: async () =>
      configSchema.parse({
        listener: { port: nextPortBlock(), tls: cert },
        backing: { bootstrapServers: [`127.0.0.1:${nextPortBlock() + 9}`] },
        store: { path: join(mkdtempSync(join(tmpdir(), "kgate-doctor-")), "store.json") },
      }),
    now: () => new Date(Date.now() + 3 * 86_400_000),
  });
  const expired = results.find((r) => r.name === `listener.tls.cert ${cert.cert}`);
  expect(expired).toMatchObject({ status: "fail", fix: "renew the certificate (kgate picks up renewed listener files without a restart)" });
  expect(expired!.detail).toMatch(/expired on \d{4}-\d\d-\d\d/);
  expect(results.find((r) => r.name === `listener.tls.key ${cert.key}`)?.status).toBe("ok");
}, 60_000);

describe("kgate doctor and /metrics with store.type kafka", () => {
  const run = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  let k: KgateProcess | undefined;
  afterAll(async () => {
    await k?.stop();
  });

  test("a compacted state topic passes, a deleting one fails with the kafka-configs fix; /metrics shows the store lag", async () => {
    const backing = await kafkaBootstrap();
    const tokenSecret = "doctor-token-secret-0123456789abcdef";
    const compacted = `_kgate_state_doctor_${run}`;
    k = await startKgate({ backing, config: { store: { type: "kafka", topic: compacted }, auth: { tokenSecret } } });
    await adminCall(k, "PUT", `/v1/vclusters/vc-doctor-${run.replace(/_/g, "-")}`);
    const metrics = await (await fetch(`${k.adminUrl}/metrics`, { headers: { authorization: `Bearer ${k.adminToken}` } })).text();
    expect(metrics).toMatch(/^kgate_store_lag_records 0$/m);

    const store = (topic: string) => ({ ...ports(), backing: { bootstrapServers: [backing] }, store: { type: "kafka", topic }, auth: { tokenSecret } });
    const ok = await doctor("bun", store(compacted));
    expect(row(ok.out, `state topic ${compacted}`)).toMatch(/^✓ .*exists, 1 partition\(s\), cleanup\.policy=compact$/);

    const deleting = `_kgate_state_doctor_del_${run}`;
    const direct = await KafkaConnection.open(kgateRuntime, [parseHostPort(backing)]);
    try {
      await ensureTopic(direct, { name: deleting, partitions: 1, replicationFactor: 1, configs: { "cleanup.policy": "delete" } });
    } finally {
      direct.close();
    }
    const bad = await doctor("bun", store(deleting));
    expect(bad.code).toBe(1);
    expect(row(bad.out, `state topic ${deleting}`)).toMatch(/^✗ .*cleanup\.policy=delete[^\n]*\n +fix: kafka-configs .*--add-config cleanup\.policy=compact/);
    await kafkaCli("kafka-topics", ["--bootstrap-server", backing, "--delete", "--topic", `_kgate_state_doctor_.*${run}`]);
  }, 60_000);
});
