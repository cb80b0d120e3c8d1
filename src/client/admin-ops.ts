// Topic administration with kgate's own client: what the Kafka-backed store needs to find or
// create its topic and the partition leader. Versions are ones every Kafka from 3.0 to 4.x
// accepts (Kafka 4 dropped only versions older than these).
import type { BackingAddress } from "./backing-address.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { ConfigResourceType, ZERO_UUID } from "../protocol/messages/constants.ts";
import type { MetadataResponseTopic } from "../protocol/messages/metadata-response.ts";
import type { KafkaConnection } from "./kafka-connection.ts";
import { KafkaError, LEADER_NOT_AVAILABLE, TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC_OR_PARTITION } from "./kafka-errors.ts";

const METADATA = { key: ApiKey.Metadata, version: 12 } as const;
const CREATE_TOPICS = { key: ApiKey.CreateTopics, version: 7 } as const;
const DESCRIBE_CONFIGS = { key: ApiKey.DescribeConfigs, version: 4 } as const;

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** -1: the cluster's `default.replication.factor`. */
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicDescription {
  readonly topic: MetadataResponseTopic;
  readonly brokers: ReadonlyMap<number, BackingAddress>;
}

/** Metadata of one topic, without creating it; undefined when it does not exist. */
export async function describeTopic(conn: KafkaConnection, name: string): Promise<TopicDescription | undefined> {
  const res = await conn.request(METADATA.key, METADATA.version, {
    topics: [{ topicId: ZERO_UUID, name }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const topic = res.topics.find((t) => t.name === name);
  if (!topic || topic.errorCode === UNKNOWN_TOPIC_OR_PARTITION) return undefined;
  // LEADER_NOT_AVAILABLE right after creation still describes the topic; partitions say more.
  if (topic.errorCode !== 0 && topic.errorCode !== LEADER_NOT_AVAILABLE) {
    throw new KafkaError(topic.errorCode, `metadata of topic ${name}`);
  }
  const brokers = new Map(res.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
  return { topic, brokers };
}

/** Creates the topic unless it exists. Another node creating it at the same moment is fine. */
export async function ensureTopic(conn: KafkaConnection, spec: TopicSpec): Promise<"created" | "exists"> {
  if (await describeTopic(conn, spec.name)) return "exists";
  const res = await conn.request(CREATE_TOPICS.key, CREATE_TOPICS.version, {
    topics: [
      {
        name: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        assignments: [],
        configs: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
      },
    ],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  const result = res.topics.find((t) => t.name === spec.name);
  if (!result) throw new Error(`CreateTopics for ${spec.name} returned no result for it`);
  if (result.errorCode === TOPIC_ALREADY_EXISTS) return "exists";
  if (result.errorCode !== 0) throw new KafkaError(result.errorCode, `creating topic ${spec.name}`, result.errorMessage);
  return "created";
}

/** The topic's effective values of `keys` (set on the topic or inherited from the broker). */
export async function describeTopicConfigs(
  conn: KafkaConnection,
  topic: string,
  keys: readonly string[],
): Promise<Record<string, string | null>> {
  const res = await conn.request(DESCRIBE_CONFIGS.key, DESCRIBE_CONFIGS.version, {
    resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: topic, configurationKeys: [...keys] }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const result = res.results.find((r) => r.resourceName === topic);
  if (!result) throw new Error(`DescribeConfigs for ${topic} returned no result for it`);
  if (result.errorCode !== 0) throw new KafkaError(result.errorCode, `configs of topic ${topic}`, result.errorMessage);
  return Object.fromEntries(result.configs.map((c) => [c.name, c.value]));
}

/**
 * Address of a partition's leader. A topic created a moment ago may have none yet, so this
 * asks again until `timeoutMs` has passed.
 */
export async function findPartitionLeader(
  conn: KafkaConnection,
  topic: string,
  partition: number,
  timeoutMs = 15_000,
): Promise<BackingAddress> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50;; delay = Math.min(delay * 2, 1000)) {
    const description = await describeTopic(conn, topic);
    const p = description?.topic.partitions.find((x) => x.partitionIndex === partition);
    const leader = p && p.errorCode === 0 ? description?.brokers.get(p.leaderId) : undefined;
    if (leader) return leader;
    if (Date.now() + delay > deadline) {
      const why = !description
        ? "the topic does not exist"
        : !p
        ? `it has no partition ${partition}`
        : p.errorCode !== 0
        ? new KafkaError(p.errorCode, "partition").message
        : `leader ${p.leaderId} is not among the brokers`;
      throw new Error(`no leader for ${topic}-${partition} within ${timeoutMs} ms: ${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
