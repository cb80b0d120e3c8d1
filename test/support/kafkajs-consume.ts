// Reading a topic from the beginning with a kafkajs consumer until a number of distinct record
// values has arrived (or a minute passed), for the end-to-end tests that push records through kgate.
import type { Kafka } from "kafkajs";

/** The distinct values a new group `g-TOPIC` reads from the start of `topic`, once there are `count`. */
export async function consumeValues(kafka: Kafka, topic: string, count: number, timeoutMs = 60_000): Promise<Set<string>> {
  const consumer = kafka.consumer({ groupId: `g-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Set<string>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.size} records`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.add(message.value!.toString());
          if (seen.size === count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
