// Fetch: names prefixed (v4-12), ids checked (v13+), replica id forced to a consumer's, fetch
// sessions belong to the connection; records pass as bytes.
import { expect } from "bun:test";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ZERO_UUID } from "../../../../src/protocol/messages/constants.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { defaultFetchPartition } from "../../../../src/protocol/messages/fetch-request.ts";
import { defaultPartitionData } from "../../../../src/protocol/messages/fetch-response.ts";
import { ALICE_ORDERS_ID, BOB_SECRET_ID, request, response, scenario, step } from "../../../support/scenario.ts";

const RECORDS = new Uint8Array([9, 9, 9]);

export default [
  scenario({
    name: "by name: prefixed, replica id forced to -1; the response strips the prefix and drops bob's topic",
    apiKey: ApiKey.Fetch,
    versions: [4, 7, 12],
    request: request(ApiKey.Fetch, {
      replicaId: 1,
      sessionEpoch: -1,
      topics: [{ topic: "orders", topicId: ZERO_UUID, partitions: [defaultFetchPartition()] }],
    }),
    broker: { replicaId: -1, topics: [{ topic: "alice.orders" }] },
    response: response(ApiKey.Fetch, {
      responses: [
        { topic: "alice.orders", topicId: ZERO_UUID, partitions: [{ ...defaultPartitionData(), records: RECORDS }] },
        { topic: "bob.secret", topicId: ZERO_UUID, partitions: [defaultPartitionData()] },
      ],
    }),
    client: { responses: [{ topic: "orders", partitions: [{ records: RECORDS }] }] },
  }),
  scenario({
    name: "by id: alice's id goes as it is and the response is not rewritten",
    apiKey: ApiKey.Fetch,
    versions: [13, 18],
    request: request(ApiKey.Fetch, { sessionEpoch: -1, topics: [{ topic: "", topicId: ALICE_ORDERS_ID, partitions: [defaultFetchPartition()] }] }),
    broker: { topics: [{ topicId: ALICE_ORDERS_ID }] },
    response: response(ApiKey.Fetch, { responses: [{ topic: "", topicId: ALICE_ORDERS_ID, partitions: [{ ...defaultPartitionData(), records: RECORDS }] }] }),
    client: { responses: [{ topicId: ALICE_ORDERS_ID, partitions: [{ records: RECORDS }] }] },
  }),
  scenario({
    name: "by id: bob's id is swapped for one the broker does not know, and back in the response",
    apiKey: ApiKey.Fetch,
    versions: [13, 18],
    request: request(ApiKey.Fetch, { sessionEpoch: -1, topics: [{ topic: "", topicId: BOB_SECRET_ID, partitions: [defaultFetchPartition()] }] }),
    broker: { topics: [{ topicId: expect.not.stringMatching(BOB_SECRET_ID) }] },
  }),
  scenario({
    name: "a fetch session this connection opened may be used incrementally",
    apiKey: ApiKey.Fetch,
    versions: [12],
    before: [step({
      apiKey: ApiKey.Fetch,
      version: 12,
      request: request(ApiKey.Fetch, {
        sessionId: 0,
        sessionEpoch: 0,
        topics: [{ topic: "orders", topicId: ZERO_UUID, partitions: [defaultFetchPartition()] }],
      }),
      response: response(ApiKey.Fetch, { sessionId: 1234, responses: [] }),
    })],
    request: request(ApiKey.Fetch, { sessionId: 1234, sessionEpoch: 1, topics: [] }),
    broker: { sessionId: 1234, sessionEpoch: 1 },
  }),
  scenario({
    name: "a fetch session this connection did not open is refused",
    apiKey: ApiKey.Fetch,
    versions: [7, 18],
    request: request(ApiKey.Fetch, { sessionId: 1234, sessionEpoch: 1, topics: [] }),
    answer: { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND },
  }),
];
