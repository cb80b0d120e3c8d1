// ListTransactions: only alice's transactions; her id pattern is applied by kgate (RE2), not
// sent to the broker.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const state = (transactionalId: string) => ({ transactionalId, producerId: 1n, transactionState: "Ongoing" });

export default [
  scenario({
    name: "only alice's, stripped",
    apiKey: ApiKey.ListTransactions,
    versions: [0, 2],
    request: request(ApiKey.ListTransactions, {}),
    response: response(ApiKey.ListTransactions, { transactionStates: [state("alice.tx-1"), state("bob.tx-1"), state("alice.other")] }),
    client: { transactionStates: [{ transactionalId: "tx-1" }, { transactionalId: "other" }] },
  }),
  scenario({
    name: "the id pattern (v2) is kgate's to apply",
    apiKey: ApiKey.ListTransactions,
    versions: [2],
    request: request(ApiKey.ListTransactions, { transactionalIdPattern: "tx-.*" }),
    broker: { transactionalIdPattern: null },
    response: response(ApiKey.ListTransactions, { transactionStates: [state("alice.tx-1"), state("alice.other")] }),
    client: { transactionStates: [{ transactionalId: "tx-1" }] },
  }),
  scenario({
    name: "an invalid pattern is answered INVALID_REGULAR_EXPRESSION",
    apiKey: ApiKey.ListTransactions,
    versions: [2],
    request: request(ApiKey.ListTransactions, { transactionalIdPattern: "(" }),
    answer: { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION },
  }),
];
