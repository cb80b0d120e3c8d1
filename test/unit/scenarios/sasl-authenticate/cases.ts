// SaslAuthenticate: answered by kgate; without a handshake first it is an illegal state.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { request, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "before a handshake: ILLEGAL_SASL_STATE, then closed",
    apiKey: ApiKey.SaslAuthenticate,
    versions: [0, 2],
    request: request(ApiKey.SaslAuthenticate, { authBytes: new TextEncoder().encode("\0alice\0alice-secret") }),
    answer: { errorCode: ErrorCode.ILLEGAL_SASL_STATE },
    closeAfter: true,
  }),
];
