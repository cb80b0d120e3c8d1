// @platformatic/kafka (npm), run in this process. It needs Node 22 while kgate's packages admit
// Node 20 (test/unit/dependency-engines.test.ts), so it is no devDependency: `npm run compat`
// installs it into .tmp/compat/npm on first use.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "../../support/command.ts";
import { COMPAT_DIR } from "../jars.ts";
import { checkListing, type CompatClient, type CompatTarget, scenarioNames, StepRunner } from "../types.ts";

export const PLATFORMATIC_VERSION = "2.12.1";
const NPM_DIR = join(COMPAT_DIR, "npm");
const ENTRY = join(NPM_DIR, "node_modules", "@platformatic", "kafka", "dist", "index.js");

// The little of its API the scenario uses (its own types live in the package, outside tsconfig).
interface Message {
  value: string;
  partition: number;
  commit(): Promise<void>;
}
interface MessagesStream {
  on(event: "data", f: (m: Message) => void): void;
  on(event: "error", f: (e: Error) => void): void;
  close(): Promise<void>;
}
interface Platformatic {
  Admin: new (o: object) => {
    createTopics(o: object): Promise<unknown>;
    describeGroups(o: object): Promise<Map<string, { state: string }>>;
    listConsumerGroupOffsets(o: object): Promise<{ topics: { partitions: { committedOffset: bigint }[] }[] }[]>;
    listTopics(): Promise<string[]>;
    close(): Promise<void>;
  };
  Producer: new (o: object) => {
    send(o: object): Promise<unknown>;
    beginTransaction(): Promise<{ send(o: object): Promise<unknown>; commit(): Promise<void>; abort(): Promise<void> }>;
    close(): Promise<void>;
  };
  Consumer: new (o: object) => { consume(o: object): Promise<MessagesStream>; close(force?: boolean): Promise<void> };
  stringSerializers: object;
  stringDeserializers: object;
}

let loading: Promise<Platformatic> | undefined;

function platformatic(): Promise<Platformatic> {
  loading ??= (async () => {
    if (!existsSync(ENTRY)) {
      mkdirSync(NPM_DIR, { recursive: true });
      const res = await runCommand("npm", [
        "install",
        "--prefix",
        NPM_DIR,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        `@platformatic/kafka@${PLATFORMATIC_VERSION}`,
      ], { timeoutMs: 300_000 });
      if (res.code !== 0) throw new Error(`npm install @platformatic/kafka@${PLATFORMATIC_VERSION}: ${res.stderr.trim().split("\n").slice(-2).join(" ")}`);
    }
    return (await import(ENTRY)) as Platformatic;
  })();
  return loading;
}

function base(t: CompatTarget, clientId: string) {
  return {
    clientId,
    bootstrapBrokers: [t.bootstrap],
    ...(t.sasl ? { sasl: { mechanism: "PLAIN" as const, username: t.sasl.username, password: t.sasl.password } } : {}),
    retries: 5,
  };
}

/** Reads `topic` from the earliest offset in `groupId` until `until(values)` holds, then `settleMs` more. */
async function consumeUntil(
  pk: Platformatic,
  t: CompatTarget,
  topic: string,
  groupId: string,
  isolationLevel: 0 | 1,
  until: (n: number) => boolean,
  settleMs: number,
) {
  const consumer = new pk.Consumer({ ...base(t, "compat-platformatic"), groupId, deserializers: pk.stringDeserializers, isolationLevel });
  const values: string[] = [];
  const lastPerPartition = new Map<number, Message>();
  try {
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${values.length} records before the deadline`)), 90_000);
      stream.on("error", reject);
      stream.on("data", (m: Message) => {
        values.push(m.value);
        lastPerPartition.set(m.partition, m);
        if (until(values.length)) {
          clearTimeout(timer);
          setTimeout(resolve, settleMs);
        }
      });
    });
    for (const m of lastPerPartition.values()) await m.commit();
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return values;
}

export const platformaticClient: CompatClient = {
  name: `@platformatic/kafka ${PLATFORMATIC_VERSION}`,
  standardNames: true,
  async unavailable() {
    try {
      await platformatic();
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  },
  async run(t) {
    const n = scenarioNames(t);
    const pk = await platformatic();
    const admin = new pk.Admin(base(t, "compat-platformatic"));
    const steps = new StepRunner();
    try {
      await steps.step("create-topic", async () => {
        await admin.createTopics({ topics: [n.topic], partitions: 3, replicas: 1 });
        await admin.createTopics({ topics: [n.txTopic], partitions: 1, replicas: 1 });
        return `${n.topic}, ${n.txTopic}`;
      });
      await steps.step("produce", async () => {
        const producer = new pk.Producer({ ...base(t, "compat-platformatic"), serializers: pk.stringSerializers, idempotent: true, acks: -1 });
        try {
          for (let i = 0; i < t.records; i += 100) {
            await producer.send({
              messages: Array.from({ length: Math.min(100, t.records - i) }, (_, j) => ({ topic: n.topic, key: `k${i + j}`, value: `v${i + j}` })),
            });
          }
        } finally {
          await producer.close();
        }
        return `${t.records} records, idempotent`;
      });
      await steps.step("consume-commit", async () => {
        const values = await consumeUntil(pk, t, n.topic, n.group, 0, (c) => c >= t.records, 0);
        if (new Set(values).size !== t.records) throw new Error(`got ${values.length} records, ${new Set(values).size} distinct`);
        return `${values.length} records`;
      });
      await steps.step("describe-group", async () => {
        const groups = await admin.describeGroups({ groups: [n.group] });
        const g = groups.get(n.group);
        if (!g || groups.size !== 1) throw new Error(`described ${[...groups.keys()].join(",")}`);
        const offsets = await admin.listConsumerGroupOffsets({ groups: [n.group] });
        const committed = offsets.flatMap((o) => o.topics).flatMap((tp) => tp.partitions).reduce((s, p) => s + Number(p.committedOffset), 0);
        if (committed !== t.records) throw new Error(`committed offsets add up to ${committed}`);
        return `state ${g.state}, offsets add up to ${committed}`;
      });
      await steps.step("transactions", async () => {
        const producer = new pk.Producer({
          ...base(t, "compat-platformatic"),
          serializers: pk.stringSerializers,
          idempotent: true,
          transactionalId: n.transactionalId,
          acks: -1,
        });
        try {
          const ok = await producer.beginTransaction();
          await ok.send({ messages: [{ topic: n.txTopic, value: "committed" }] });
          await ok.commit();
          const no = await producer.beginTransaction();
          await no.send({ messages: [{ topic: n.txTopic, value: "aborted" }] });
          await no.abort();
        } finally {
          await producer.close();
        }
        const values = await consumeUntil(pk, t, n.txTopic, n.txReaderGroup, 1, (c) => c > 0, 3000);
        if (values.join(",") !== "committed") throw new Error(`read_committed saw ${values.join(",")}`);
        return "read_committed saw only the committed record";
      });
      await steps.step("list-topics", async () => checkListing(t, await admin.listTopics()));
    } finally {
      await admin.close().catch(() => {});
    }
    return steps.results;
  },
};
