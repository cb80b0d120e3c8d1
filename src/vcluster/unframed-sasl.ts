// SaslHandshake v0 (clients before KIP-152): after the handshake the SASL tokens travel as bare
// `int32 length + bytes` frames, without Kafka request or response headers. kgate reads such a
// token as the SaslAuthenticate request it stands for, so there is one authentication path for
// both framings, and turns the SaslAuthenticate answer back into a bare token. As Kafka's
// SaslServerAuthenticator: a refused token gets no answer, the connection closes (after the
// failed-authentication delay, which the authentication path has already waited).
import type { Frame, RequestHead, RequestOutcome } from "../gateway/session-policy.ts";
import { decodeResponse, encodeRequest } from "../protocol/codec.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { SaslAuthenticateResponse } from "../protocol/messages/sasl-authenticate-response.ts";
import { concatBytes } from "../protocol/wire.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";

const SASL_AUTHENTICATE = ApiKey.SaslAuthenticate;
/** v0: the fields a bare token exchange has (no session lifetime: v0 clients cannot re-authenticate). */
const WRAPPED_VERSION = 0;

export const UNFRAMED_TOKEN_HEAD: RequestHead = { apiKey: SASL_AUTHENTICATE, apiVersion: WRAPPED_VERSION, correlationId: 0 };

/** The SaslAuthenticate request frame carrying the bare token inside `frame` (size prefix included). */
export function authenticateRequestFor(frame: Uint8Array): Uint8Array {
  const { correlationId } = UNFRAMED_TOKEN_HEAD;
  const chunks = encodeRequest(
    { apiKey: SASL_AUTHENTICATE, apiVersion: WRAPPED_VERSION, correlationId, clientId: null },
    { authBytes: frame.subarray(4) },
  );
  return concatBytes(chunks);
}

/** The bare-token outcome for the outcome of the SaslAuthenticate it was read as. */
export function unframedOutcome(outcome: RequestOutcome): RequestOutcome {
  if (outcome.kind !== "answer" || outcome.frame === null) return outcome;
  const response = outcome.frame instanceof Uint8Array ? outcome.frame : concatBytes(outcome.frame);
  const { body } = decodeResponse<SaslAuthenticateResponse>(response, SASL_AUTHENTICATE, WRAPPED_VERSION);
  if (body.errorCode !== ErrorCode.NONE) {
    return { kind: "close", reason: outcome.closeAfter ?? body.errorMessage ?? `SASL error ${body.errorCode}` };
  }
  const answer: Frame = sizePrefixed(body.authBytes);
  return outcome.closeAfter === undefined ? { kind: "answer", frame: answer } : { kind: "answer", frame: answer, closeAfter: outcome.closeAfter };
}

function sizePrefixed(token: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + token.length);
  new DataView(out.buffer).setInt32(0, token.length);
  out.set(token, 4);
  return out;
}
