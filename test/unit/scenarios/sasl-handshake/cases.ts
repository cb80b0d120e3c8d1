// SaslHandshake: answered by kgate with its mechanisms; an unknown one closes after the answer.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { request, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "PLAIN is offered",
    apiKey: ApiKey.SaslHandshake,
    versions: [0, 1],
    request: request(ApiKey.SaslHandshake, { mechanism: "PLAIN" }),
    answer: { errorCode: 0, mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"] },
  }),
  scenario({
    name: "GSSAPI is not: answered, then closed",
    apiKey: ApiKey.SaslHandshake,
    versions: [1],
    request: request(ApiKey.SaslHandshake, { mechanism: "GSSAPI" }),
    answer: { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM },
    closeAfter: true,
  }),
];
