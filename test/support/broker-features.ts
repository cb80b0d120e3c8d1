// What the backing broker of the e2e tests supports, asked once with ApiVersions: tests of
// protocol features an older broker lacks (KIP-848 regexes, share and streams groups) are
// skipped against it, so the same files run against Kafka 3.9 (`npm run test:broker-3.9`).
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { parseHostPort } from "../../src/client/upstream.ts";
import { runtime } from "../../src/runtime/index.ts";
import type { ApiVersionsResponse } from "../../src/protocol/messages/api-versions-response.ts";
import { kafkaBootstrap } from "./kafka.ts";

let versions: Promise<Map<number, number>> | undefined;

async function fetchVersions(): Promise<Map<number, number>> {
  const conn = await KafkaConnection.open(runtime, [parseHostPort(await kafkaBootstrap())], { clientId: "e2e-broker-features" });
  try {
    const res = await conn.requestUntyped<ApiVersionsResponse>(18, 3, { clientSoftwareName: "kgate-e2e", clientSoftwareVersion: "0" });
    return new Map(res.apiKeys.map((k) => [k.apiKey, k.maxVersion]));
  } finally {
    conn.close();
  }
}

/** Whether the backing broker serves `apiKey` at `version` or later. */
export async function brokerSupports(apiKey: number, version = 0): Promise<boolean> {
  versions ??= fetchVersions();
  return ((await versions).get(apiKey) ?? -1) >= version;
}

export const BROKER_FEATURE = {
  /** KIP-848 groups with regex subscriptions (Kafka 4.0+). */
  consumerGroupRegex: () => brokerSupports(68, 1),
  /** KIP-932 share groups (Kafka 4.1+: ShareGroupHeartbeat v1). */
  shareGroups: () => brokerSupports(76, 1),
  /** KIP-1071 streams groups (Kafka 4.1+). */
  streamsGroups: () => brokerSupports(88, 0),
} as const;
