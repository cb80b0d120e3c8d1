// TxnOffsetCommit: transactional id, group and topics prefixed; answers stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ZERO_UUID } from "../../../../src/protocol/messages/constants.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed in, stripped out",
    apiKey: ApiKey.TxnOffsetCommit,
    versions: [0, 3, 5],
    request: request(ApiKey.TxnOffsetCommit, {
      transactionalId: "tx",
      groupId: "g",
      producerId: 1n,
      producerEpoch: 0,
      topics: [{
        name: "orders",
        topicId: ZERO_UUID,
        partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }],
      }],
    }),
    broker: { transactionalId: "alice.tx", groupId: "alice.g", topics: [{ name: "alice.orders" }] },
    response: response(ApiKey.TxnOffsetCommit, { topics: [{ name: "alice.orders", topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, errorCode: 0 }] }] }),
    client: { topics: [{ name: "orders" }] },
  }),
  scenario({
    name: "by topic id (v6): alice's id goes as it is",
    apiKey: ApiKey.TxnOffsetCommit,
    versions: [6],
    request: request(ApiKey.TxnOffsetCommit, {
      transactionalId: "tx",
      groupId: "g",
      producerId: 1n,
      producerEpoch: 0,
      topics: [{
        name: "",
        topicId: ALICE_ORDERS_ID,
        partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }],
      }],
    }),
    broker: { transactionalId: "alice.tx", groupId: "alice.g", topics: [{ topicId: ALICE_ORDERS_ID }] },
    response: response(ApiKey.TxnOffsetCommit, { topics: [{ name: "", topicId: ALICE_ORDERS_ID, partitions: [{ partitionIndex: 0, errorCode: 0 }] }] }),
    client: { topics: [{ topicId: ALICE_ORDERS_ID }] },
  }),
];
