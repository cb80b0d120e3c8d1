// kafkajs (npm), run in this process.
import { Kafka, logLevel } from "kafkajs";
import { checkListing, type CompatClient, type CompatTarget, scenarioNames, StepRunner } from "../types.ts";

function kafkaFor(t: CompatTarget): Kafka {
  return new Kafka({
    clientId: "compat-kafkajs",
    brokers: [t.bootstrap],
    ...(t.sasl ? { sasl: { mechanism: "plain" as const, username: t.sasl.username, password: t.sasl.password } } : {}),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8 },
  });
}

/** Consumes `topic` in `groupId` until `until(values)` holds or the deadline passes. */
async function consumeUntil(
  kafka: Kafka,
  topic: string,
  groupId: string,
  readUncommitted: boolean,
  until: (values: string[]) => boolean,
  ms: number,
  settleMs = 0,
) {
  const consumer = kafka.consumer({ groupId, readUncommitted, allowAutoTopicCreation: false });
  const values: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      void consumer.run({
        autoCommitThreshold: 100,
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (until(values)) {
            clearTimeout(timer);
            setTimeout(resolve, settleMs);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect(); // commits what was consumed
  }
  return values;
}

export const kafkajsClient: CompatClient = {
  name: "kafkajs 2.2",
  fast: true,
  standardNames: true,
  unavailable: async () => null,
  async run(t) {
    const n = scenarioNames(t);
    const kafka = kafkaFor(t);
    const admin = kafka.admin();
    const steps = new StepRunner();
    try {
      await steps.step("create-topic", async () => {
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: n.topic, numPartitions: 3 }, { topic: n.txTopic, numPartitions: 1 }], waitForLeaders: true });
        return `${n.topic}, ${n.txTopic}`;
      });
      await steps.step("produce", async () => {
        const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        try {
          for (let i = 0; i < t.records; i += 100) {
            await producer.send({
              topic: n.topic,
              acks: -1,
              messages: Array.from({ length: Math.min(100, t.records - i) }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}` })),
            });
          }
        } finally {
          await producer.disconnect();
        }
        return `${t.records} records, idempotent`;
      });
      await steps.step("consume-commit", async () => {
        const values = await consumeUntil(kafka, n.topic, n.group, true, (v) => v.length >= t.records, 90_000);
        if (new Set(values).size !== t.records) throw new Error(`got ${values.length} records, ${new Set(values).size} distinct`);
        return `${values.length} records`;
      });
      await steps.step("describe-group", async () => {
        const { groups } = await admin.describeGroups([n.group]);
        if (groups.length !== 1 || groups[0]!.groupId !== n.group) throw new Error(`described ${JSON.stringify(groups)}`);
        const offsets = await admin.fetchOffsets({ groupId: n.group, topics: [n.topic] });
        const committed = offsets.flatMap((o) => o.partitions).reduce((s, p) => s + Number(p.offset), 0);
        if (committed !== t.records) throw new Error(`committed offsets add up to ${committed}`);
        return `state ${groups[0]!.state}, offsets add up to ${committed}`;
      });
      await steps.step("transactions", async () => {
        const producer = kafka.producer({ transactionalId: n.transactionalId, idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        try {
          const ok = await producer.transaction();
          await ok.send({ topic: n.txTopic, messages: [{ value: "committed" }] });
          await ok.commit();
          const no = await producer.transaction();
          await no.send({ topic: n.txTopic, messages: [{ value: "aborted" }] });
          await no.abort();
        } finally {
          await producer.disconnect();
        }
        // kafkajs cannot tell where the end is: read on for 3 s after the committed record came.
        const values = await consumeUntil(kafka, n.txTopic, n.txReaderGroup, false, (v) => v.length > 0, 60_000, 3000);
        if (values.join(",") !== "committed") throw new Error(`read_committed saw ${values.join(",") || "nothing"}`);
        return "read_committed saw only the committed record";
      });
      await steps.step("list-topics", async () => checkListing(t, await admin.listTopics()));
    } finally {
      await admin.disconnect().catch(() => {});
    }
    return steps.results;
  },
};
