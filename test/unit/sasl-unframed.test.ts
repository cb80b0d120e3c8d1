// A bare SASL token (after SaslHandshake v0) is read as the SaslAuthenticate it stands for, and
// the SaslAuthenticate answer turned back into a bare token, or into a close on failure.
import { describe, expect, test } from "bun:test";
import { decodeRequest, encodeResponse } from "../../src/protocol/codec.ts";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { authenticateRequestFor, UNFRAMED_TOKEN_HEAD, unframedOutcome } from "../../src/vcluster/unframed-sasl.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;

function bare(bytes: number[]): Uint8Array {
  return new Uint8Array([0, 0, 0, bytes.length, ...bytes]);
}

function authenticateAnswer(errorCode: number, authBytes: Uint8Array, errorMessage: string | null = null) {
  return encodeResponse(36, UNFRAMED_TOKEN_HEAD.apiVersion, { correlationId: UNFRAMED_TOKEN_HEAD.correlationId }, {
    errorCode,
    errorMessage,
    authBytes,
    sessionLifetimeMs: 0n,
  });
}

describe("unframed SASL tokens", () => {
  test("a bare token becomes a SaslAuthenticate request carrying exactly its bytes", () => {
    const { header, body } = decodeRequest<Msg>(authenticateRequestFor(bare([1, 2, 3])));
    expect(header.apiKey).toBe(36);
    expect(header.apiVersion).toBe(UNFRAMED_TOKEN_HEAD.apiVersion);
    expect([...body.authBytes]).toEqual([1, 2, 3]);
  });

  test("a successful answer becomes a bare, size-prefixed token (empty for PLAIN)", () => {
    const plain = unframedOutcome({ kind: "answer", frame: authenticateAnswer(ErrorCode.NONE, new Uint8Array(0)) });
    expect(plain).toEqual({ kind: "answer", frame: new Uint8Array(4) });
    const scram = unframedOutcome({ kind: "answer", frame: authenticateAnswer(ErrorCode.NONE, new TextEncoder().encode("v=xyz")) });
    expect(scram).toEqual({ kind: "answer", frame: bare([...new TextEncoder().encode("v=xyz")]) });
  });

  test("a refusal sends nothing and closes with the logged reason", () => {
    const refused = unframedOutcome({
      kind: "answer",
      frame: authenticateAnswer(ErrorCode.SASL_AUTHENTICATION_FAILED, new Uint8Array(0), "Authentication failed: invalid credentials"),
      closeAfter: 'authentication of "x" failed: bad token',
    });
    expect(refused).toEqual({ kind: "close", reason: 'authentication of "x" failed: bad token' });
  });

  test("a close stays a close", () => {
    expect(unframedOutcome({ kind: "close", reason: "r" })).toEqual({ kind: "close", reason: "r" });
  });
});
