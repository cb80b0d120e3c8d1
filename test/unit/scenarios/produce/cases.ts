// Produce: topic names get alice's prefix; records pass as bytes; responses lose the prefix.
import { expect } from "bun:test";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultPartitionProduceResponse, defaultTopicProduceResponse } from "../../../../src/protocol/messages/produce-response.ts";
import { ALICE_ORDERS_ID, BOB_SECRET_ID, request, response, scenario } from "../../../support/scenario.ts";

const RECORDS = new Uint8Array([1, 2, 3, 4]);

export default [
  scenario({
    name: "a topic by name is prefixed; the response strips it",
    apiKey: ApiKey.Produce,
    versions: [3, 9, 12],
    request: request(ApiKey.Produce, {
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: "orders", topicId: ALICE_ORDERS_ID, partitionData: [{ index: 0, records: RECORDS }] }],
    }),
    broker: { acks: -1, topicData: [{ name: "alice.orders", partitionData: [{ index: 0, records: RECORDS }] }] },
    response: response(ApiKey.Produce, {
      responses: [{ ...defaultTopicProduceResponse(), name: "alice.orders", partitionResponses: [{ ...defaultPartitionProduceResponse(), baseOffset: 42n }] }],
    }),
    client: { responses: [{ name: "orders", partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 42n }] }] },
  }),
  scenario({
    name: "a transactional id is prefixed",
    apiKey: ApiKey.Produce,
    versions: [3, 13],
    request: request(ApiKey.Produce, { transactionalId: "tx", acks: -1, topicData: [] }),
    broker: { transactionalId: "alice.tx" },
  }),
  scenario({
    name: "by topic id (v13): alice's own id goes as it is",
    apiKey: ApiKey.Produce,
    versions: [13],
    request: request(ApiKey.Produce, { acks: -1, topicData: [{ name: "", topicId: ALICE_ORDERS_ID, partitionData: [{ index: 0, records: RECORDS }] }] }),
    broker: { topicData: [{ topicId: ALICE_ORDERS_ID }] },
    response: response(ApiKey.Produce, {
      responses: [{ ...defaultTopicProduceResponse(), topicId: ALICE_ORDERS_ID, partitionResponses: [defaultPartitionProduceResponse()] }],
    }),
    client: { responses: [{ topicId: ALICE_ORDERS_ID }] },
  }),
  scenario({
    name: "by topic id (v13): bob's id never reaches the broker",
    apiKey: ApiKey.Produce,
    versions: [13],
    request: request(ApiKey.Produce, { acks: -1, topicData: [{ name: "", topicId: BOB_SECRET_ID, partitionData: [{ index: 0, records: RECORDS }] }] }),
    broker: { topicData: [{ topicId: expect.not.stringMatching(BOB_SECRET_ID) }] },
  }),
  scenario({
    name: "acks=0: forwarded, no response expected",
    apiKey: ApiKey.Produce,
    versions: [3, 13],
    request: request(ApiKey.Produce, { acks: 0, topicData: [{ name: "orders", topicId: ALICE_ORDERS_ID, partitionData: [{ index: 0, records: RECORDS }] }] }),
    broker: { acks: 0 },
    noResponse: true,
  }),
];
