// DescribeLogDirs: filtered to alice's topics; log-dir paths and volume sizes scrubbed.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const partition = { partitionIndex: 0, partitionSize: 100n, offsetLag: 0n, isFutureKey: false };

export default [
  scenario({
    name: "all topics: only alice's, paths and sizes neutral",
    apiKey: ApiKey.DescribeLogDirs,
    versions: [1, 5],
    request: request(ApiKey.DescribeLogDirs, { topics: null }),
    response: response(ApiKey.DescribeLogDirs, {
      results: [{
        errorCode: 0,
        logDir: "/var/lib/kafka/data",
        totalBytes: 1000n,
        usableBytes: 500n,
        isCordoned: false,
        topics: [{ name: "alice.orders", partitions: [partition] }, { name: "bob.secret", partitions: [partition] }],
      }],
    }),
    client: { results: [{ logDir: "log-dir-0", topics: [{ name: "orders", partitions: [{ partitionSize: 100n }] }] }] },
  }),
  scenario({
    name: "named topics are prefixed",
    apiKey: ApiKey.DescribeLogDirs,
    versions: [1, 5],
    request: request(ApiKey.DescribeLogDirs, { topics: [{ topic: "orders", partitions: [0] }] }),
    broker: { topics: [{ topic: "alice.orders" }] },
  }),
];
