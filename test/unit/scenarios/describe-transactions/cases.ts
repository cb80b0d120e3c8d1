// DescribeTransactions: transactional ids prefixed; topics in the states stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const state = (transactionalId: string, topic: string) => ({
  errorCode: 0,
  transactionalId,
  transactionState: "Ongoing",
  transactionTimeoutMs: 60_000,
  transactionStartTimeMs: 0n,
  producerId: 1n,
  producerEpoch: 0,
  topics: [{ topic, partitions: [0] }],
});

export default [
  scenario({
    name: "prefixed in, stripped out",
    apiKey: ApiKey.DescribeTransactions,
    versions: [0],
    request: request(ApiKey.DescribeTransactions, { transactionalIds: ["tx"] }),
    broker: { transactionalIds: ["alice.tx"] },
    response: response(ApiKey.DescribeTransactions, { transactionStates: [state("alice.tx", "alice.orders")] }),
    client: { transactionStates: [{ transactionalId: "tx", topics: [{ topic: "orders" }] }] },
  }),
];
