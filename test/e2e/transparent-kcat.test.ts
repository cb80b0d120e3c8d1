// kcat (librdkafka) through kgate as a transparent proxy, under Bun and under Deno: `-L` shows
// only kgate's advertised addresses; produce (plain and idempotent) and consume, by partition
// and in a balanced consumer group.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { runCommand } from "../support/command.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";

const RECORDS = 500;

for (const runtime of ["bun", "deno"] as KgateRuntime[]) {
  describe(`transparent proxy with kcat (${runtime})`, () => {
    let kgate: KgateProcess;
    let backing: string;
    const topic = `kcat-${runtime}-${Date.now()}`;
    const kcat = async (args: string[], input?: string) => {
      const res = await runCommand("kcat", ["-b", kgate.bootstrap, "-X", "socket.timeout.ms=30000", ...args], { input, timeoutMs: 60_000 });
      if (res.code !== 0) throw new Error(`kcat ${args.join(" ")} exited ${res.code}:\n${res.stderr}\n--- kgate:\n${kgate.logs()}`);
      return res;
    };

    beforeAll(async () => {
      backing = await kafkaBootstrap();
      kgate = await startKgate({ runtime, backing });
      const admin = new Kafka({ clientId: "e2e-kcat", brokers: [kgate.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await admin.disconnect();
    });
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    test("kcat -L lists brokers at kgate's advertised addresses only", async () => {
      const { stdout } = await kcat(["-L", "-J"]);
      const md = JSON.parse(stdout) as { brokers: { id: number; name: string }[]; topics: { topic: string }[] };
      expect(md.brokers.length).toBeGreaterThan(0);
      for (const b of md.brokers) {
        const [host, port] = b.name.split(":");
        expect(host).toBe("127.0.0.1");
        expect(Number(port)).toBeGreaterThan(kgate.port);
        expect(Number(port)).toBeLessThan(kgate.port + 40);
      }
      expect(md.topics.map((t) => t.topic)).toContain(topic);
      // Nothing in the human-readable listing points at the backing broker either.
      const plain = await kcat(["-L"]);
      expect(plain.stdout).not.toContain(backing);
      expect(plain.stdout).toContain(`127.0.0.1:${kgate.port + 1}`);
    });

    test("produce and consume by partition", async () => {
      const lines = Array.from({ length: RECORDS }, (_, i) => `k${i}:v${i}`);
      await kcat(["-P", "-t", topic, "-K", ":"], lines.join("\n") + "\n");
      await kcat(["-P", "-t", topic, "-K", ":", "-X", "enable.idempotence=true"], "idem:idempotent\n");
      const { stdout } = await kcat(["-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n"]);
      const got = stdout.split("\n").filter(Boolean);
      expect(got.length).toBe(RECORDS + 1);
      expect(new Set(got)).toEqual(new Set([...lines, "idem:idempotent"]));
    });

    test("consume in a balanced consumer group", async () => {
      const { stdout } = await kcat([
        "-G",
        `kcat-group-${topic}`,
        "-X",
        "auto.offset.reset=earliest",
        "-c",
        String(RECORDS + 1),
        "-q",
        "-f",
        "%s\\n",
        topic,
      ]);
      expect(stdout.split("\n").filter(Boolean).length).toBe(RECORDS + 1);
    });
  });
}
