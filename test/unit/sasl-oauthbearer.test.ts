import { describe, expect, test } from "bun:test";
import {
  InvalidOAuthBearerMessageError,
  isOAuthBearerErrorAck,
  oauthBearerClientMessage,
  oauthBearerErrorChallenge,
  parseOAuthBearerMessage,
} from "../../src/sasl/oauthbearer.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln-_";

describe("SASL/OAUTHBEARER messages", () => {
  test("the client message Kafka clients send: n,, \\x01auth=Bearer <jwt>\\x01\\x01", () => {
    expect(new TextDecoder().decode(oauthBearerClientMessage(JWT))).toBe(`n,,\x01auth=Bearer ${JWT}\x01\x01`);
    expect(parseOAuthBearerMessage(oauthBearerClientMessage(JWT))).toEqual({ authzid: "", token: JWT, extensions: new Map() });
  });

  test("extensions (KIP-342) and an authzid are read", () => {
    const parsed = parseOAuthBearerMessage(utf8(`n,a=alice,\x01auth=Bearer ${JWT}\x01traceId=abc 1\x01\x01`));
    expect(parsed.authzid).toBe("alice");
    expect(parsed.token).toBe(JWT);
    expect([...parsed.extensions]).toEqual([["traceId", "abc 1"]]);
    expect(parseOAuthBearerMessage(utf8(`n,a=a=2Cb,\x01auth=Bearer ${JWT}\x01\x01`)).authzid).toBe("a,b");
  });

  test("the scheme is case-insensitive, as RFC 7628 says", () => {
    expect(parseOAuthBearerMessage(utf8(`n,,\x01auth=bearer ${JWT}\x01\x01`)).token).toBe(JWT);
  });

  test.each([
    ["no terminator", `n,,\x01auth=Bearer ${JWT}\x01`],
    ["channel binding", `y,,\x01auth=Bearer ${JWT}\x01\x01`],
    ["p= channel binding", `p=tls-unique,,\x01auth=Bearer ${JWT}\x01\x01`],
    ["no auth", "n,,\x01foo=bar\x01\x01"],
    ["another scheme", `n,,\x01auth=Basic ${JWT}\x01\x01`],
    ["a token with spaces", "n,,\x01auth=Bearer a b\x01\x01"],
    ["two auth pairs", `n,,\x01auth=Bearer ${JWT}\x01auth=Bearer ${JWT}\x01\x01`],
    ["a pair without =", `n,,\x01auth=Bearer ${JWT}\x01junk\x01\x01`],
    ["a bad extension key", `n,,\x01auth=Bearer ${JWT}\x01k-1=v\x01\x01`],
    ["empty", ""],
    ["the lone error acknowledgement", "\x01"],
  ])("rejects %s", (_, message) => {
    expect(() => parseOAuthBearerMessage(utf8(message))).toThrow(InvalidOAuthBearerMessageError);
  });

  test("invalid UTF-8 is refused, and no error message echoes the token", () => {
    expect(() => parseOAuthBearerMessage(new Uint8Array([0x6e, 0x2c, 0x2c, 0x01, 0xff, 0x01, 0x01]))).toThrow(InvalidOAuthBearerMessageError);
    try {
      parseOAuthBearerMessage(utf8(`n,,\x01auth=Basic ${JWT}\x01\x01`));
    } catch (e) {
      expect((e as Error).message).not.toContain(JWT);
    }
  });

  test("the error challenge is Kafka's JSON, and only a lone \\x01 acknowledges it", () => {
    expect(JSON.parse(new TextDecoder().decode(oauthBearerErrorChallenge()))).toEqual({ status: "invalid_token" });
    expect(isOAuthBearerErrorAck(new Uint8Array([1]))).toBe(true);
    expect(isOAuthBearerErrorAck(new Uint8Array([1, 1]))).toBe(false);
    expect(isOAuthBearerErrorAck(new Uint8Array([]))).toBe(false);
  });
});
