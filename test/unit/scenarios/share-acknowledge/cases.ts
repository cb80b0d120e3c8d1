// ShareAcknowledge: the share group prefixed; a topic id alice does not own leaves as an unknown
// id, and an id of bob's in the answer is dropped.
import { expect } from "bun:test";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultPartitionData } from "../../../../src/protocol/messages/share-acknowledge-response.ts";
import { ALICE_ORDERS_ID, BOB_SECRET_ID, request, response, scenario } from "../../../support/scenario.ts";

const part = { partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [1] }] };

export default [
  scenario({
    name: "group prefixed, a topic id of bob's leaves as an unknown one",
    apiKey: ApiKey.ShareAcknowledge,
    versions: [1, 2],
    request: request(ApiKey.ShareAcknowledge, {
      groupId: "workers",
      memberId: "m-1",
      shareSessionEpoch: 1,
      topics: [{ topicId: ALICE_ORDERS_ID, partitions: [part] }, { topicId: BOB_SECRET_ID, partitions: [part] }],
    }),
    broker: { groupId: "alice.workers", topics: [{ topicId: ALICE_ORDERS_ID }, { topicId: expect.not.stringMatching(BOB_SECRET_ID) }] },
  }),
  scenario({
    name: "a topic id of bob's in the broker's answer is dropped",
    apiKey: ApiKey.ShareAcknowledge,
    versions: [1, 2],
    request: request(ApiKey.ShareAcknowledge, {
      groupId: "workers",
      memberId: "m-1",
      shareSessionEpoch: 1,
      topics: [{ topicId: ALICE_ORDERS_ID, partitions: [part] }],
    }),
    response: response(ApiKey.ShareAcknowledge, {
      responses: [
        { topicId: ALICE_ORDERS_ID, partitions: [{ ...defaultPartitionData(), partitionIndex: 0 }] },
        { topicId: BOB_SECRET_ID, partitions: [{ ...defaultPartitionData(), partitionIndex: 0 }] },
      ],
    }),
    client: { responses: [{ topicId: ALICE_ORDERS_ID }] },
  }),
];
