// AddPartitionsToTxn: transactional ids and topics prefixed (v0-3 single, v4+ batched).
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "v0-3: one transaction",
    apiKey: ApiKey.AddPartitionsToTxn,
    versions: [0, 3],
    request: request(ApiKey.AddPartitionsToTxn, {
      v3AndBelowTransactionalId: "tx",
      v3AndBelowProducerId: 1n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [{ name: "orders", partitions: [0] }],
    }),
    broker: { v3AndBelowTransactionalId: "alice.tx", v3AndBelowTopics: [{ name: "alice.orders" }] },
    response: response(ApiKey.AddPartitionsToTxn, {
      resultsByTopicV3AndBelow: [{ name: "alice.orders", resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }] }],
    }),
    client: { resultsByTopicV3AndBelow: [{ name: "orders" }] },
  }),
  scenario({
    name: "v4+: batched transactions",
    apiKey: ApiKey.AddPartitionsToTxn,
    versions: [4, 5],
    request: request(ApiKey.AddPartitionsToTxn, {
      transactions: [{ transactionalId: "tx", producerId: 1n, producerEpoch: 0, verifyOnly: false, topics: [{ name: "orders", partitions: [0] }] }],
    }),
    broker: { transactions: [{ transactionalId: "alice.tx", topics: [{ name: "alice.orders" }] }] },
    response: response(ApiKey.AddPartitionsToTxn, {
      resultsByTransaction: [{ transactionalId: "alice.tx", topicResults: [{ name: "alice.orders", resultsByPartition: [] }] }],
    }),
    client: { resultsByTransaction: [{ transactionalId: "tx", topicResults: [{ name: "orders" }] }] },
  }),
];
