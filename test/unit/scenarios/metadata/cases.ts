// Metadata: names prefixed; everything answers keep alice's topics only, names stripped, ids
// learnt, brokers advertised at kgate's address.
import { expect } from "bun:test";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ZERO_UUID } from "../../../../src/protocol/messages/constants.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { defaultMetadataResponseTopic } from "../../../../src/protocol/messages/metadata-response.ts";
import { ALICE_ORDERS_ID, BOB_SECRET_ID, BROKER_PORT_BASE, KGATE_HOST, request, response, scenario } from "../../../support/scenario.ts";

const brokers = [{ nodeId: 1, host: "broker-1.backing", port: 9092, rack: null }];
const both = [
  { ...defaultMetadataResponseTopic(), name: "alice.orders", topicId: ALICE_ORDERS_ID },
  { ...defaultMetadataResponseTopic(), name: "bob.secret", topicId: BOB_SECRET_ID },
  { ...defaultMetadataResponseTopic(), name: "__consumer_offsets", topicId: "d4".repeat(16), isInternal: true },
];

export default [
  scenario({
    name: "named topics are prefixed; the answer is alice's, brokers at kgate's address",
    apiKey: ApiKey.Metadata,
    versions: [0, 4, 9, 12, 13],
    request: request(ApiKey.Metadata, { topics: [{ name: "orders", topicId: ZERO_UUID }], allowAutoTopicCreation: false }),
    broker: { topics: [{ name: "alice.orders" }] },
    response: response(ApiKey.Metadata, { brokers, topics: both, clusterId: "backing-cluster" }),
    client: {
      brokers: [{ nodeId: 1, host: KGATE_HOST, port: BROKER_PORT_BASE + 1 }],
      topics: [{ name: "orders" }],
    },
  }),
  scenario({
    name: "all topics (null): only alice's come back, with their ids",
    apiKey: ApiKey.Metadata,
    versions: [1, 10, 13],
    request: request(ApiKey.Metadata, { topics: null }),
    broker: { topics: null },
    response: response(ApiKey.Metadata, { brokers, topics: both }),
    client: { topics: [{ name: "orders", topicId: expect.stringMatching(/^(a1)+$|^0+$/) }] },
  }),
  scenario({
    name: "by id (v10-11): bob's id is swapped for one the broker does not know",
    apiKey: ApiKey.Metadata,
    versions: [10, 11],
    request: request(ApiKey.Metadata, { topics: [{ name: null, topicId: BOB_SECRET_ID }] }),
    broker: { topics: [{ name: null, topicId: expect.not.stringMatching(BOB_SECRET_ID) }] },
  }),
  scenario({
    name: "by id (v12+): bob's id is answered UNKNOWN_TOPIC_ID by kgate, never sent",
    apiKey: ApiKey.Metadata,
    versions: [12, 13],
    request: request(ApiKey.Metadata, { topics: [{ name: null, topicId: BOB_SECRET_ID }] }),
    broker: { topics: [] },
    response: response(ApiKey.Metadata, { brokers, topics: [] }),
    client: { topics: [{ name: null, topicId: BOB_SECRET_ID, errorCode: ErrorCode.UNKNOWN_TOPIC_ID }] },
  }),
];
