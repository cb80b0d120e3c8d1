// The encoder refuses a message with a field left out or misspelt, instead of writing the
// field's zero value (`int32(undefined)` used to write 0, a misspelt boolean went out as false).
import { describe, expect, test } from "bun:test";
import { encodeRequest, encodeResponse } from "../../src/protocol/codec.ts";
import { ApiKey, type RequestOf } from "../../src/protocol/messages/api-keys.ts";
import { ZERO_UUID } from "../../src/protocol/messages/constants.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/messages/create-topics-request.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import { ProtocolError } from "../../src/protocol/wire.ts";

const header = (apiKey: number, apiVersion: number) => ({ apiKey, apiVersion, correlationId: 1, clientId: "t" });

function encodeLoose(apiKey: number, version: number, body: Record<string, unknown>): unknown {
  try {
    encodeRequest(header(apiKey, version), body);
    return null;
  } catch (e) {
    return e;
  }
}

describe("encoding a message with a field missing", () => {
  test("a misspelt boolean is refused, not sent as false", () => {
    const { allowAutoTopicCreation: _, ...rest } = defaultMetadataRequest();
    const e = encodeLoose(ApiKey.Metadata, 12, { ...rest, allowAutoTopicCreaton: true });
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as Error).message).toBe("Metadata v12 request: missing value in a bool field");
  });

  test("a missing int32 is refused, not sent as 0", () => {
    const { numPartitions: _, ...topic } = { ...defaultCreatableTopic(), name: "t" };
    const e = encodeLoose(ApiKey.CreateTopics, 7, { ...defaultCreateTopicsRequest(), topics: [topic] });
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as Error).message).toBe("CreateTopics v7 request: missing value in a int32 field");
  });

  test("a missing int64, uuid, array or struct is refused", () => {
    expect(() => encodeResponse(ApiKey.SaslAuthenticate, 2, { correlationId: 1 }, { errorCode: 0, errorMessage: null, authBytes: new Uint8Array(0) }))
      .toThrow("SaslAuthenticate v2 response: missing value in a int64 field");
    expect((encodeLoose(ApiKey.Metadata, 12, { ...defaultMetadataRequest(), topics: [{ name: "t" }] }) as Error).message)
      .toBe("Metadata v12 request: uuid must be 32 hex digits: undefined");
    expect((encodeLoose(ApiKey.DeleteTopics, 6, { timeoutMs: 1, topicNames: [], topics: [{ name: "t" }] }) as Error).message)
      .toBe("DeleteTopics v6 request: uuid must be 32 hex digits: undefined");
    expect((encodeLoose(ApiKey.DeleteTopics, 6, { timeoutMs: 1, topicNames: [], topics: [{ name: "t", topicId: "g".repeat(32) }] }) as Error).message)
      .toBe(`DeleteTopics v6 request: uuid must be 32 hex digits: ${"g".repeat(32)}`);
    expect((encodeLoose(ApiKey.Metadata, 12, { allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false }) as Error).message)
      .toBe("Metadata v12 request: missing value in an array field");
    expect((encodeLoose(ApiKey.Metadata, 12, { ...defaultMetadataRequest(), topics: [undefined] }) as Error).message)
      .toStartWith("Metadata v12 request: a struct or array is missing");
  });

  test("a complete message still encodes, tagged fields may be left out", () => {
    expect(encodeLoose(ApiKey.DeleteTopics, 6, { timeoutMs: 1, topicNames: [], topics: [{ name: "t", topicId: ZERO_UUID }] })).toBeNull();
    expect(encodeLoose(ApiKey.Metadata, 13, { ...defaultMetadataRequest(), topics: null })).toBeNull();
  });

  test("typed bodies catch the same mistakes at compile time", () => {
    const body: RequestOf<typeof ApiKey.Metadata> = {
      topics: null,
      // @ts-expect-error a misspelt field is a compile error
      allowAutoTopicCreaton: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    };
    expect(encodeLoose(ApiKey.Metadata, 12, body as unknown as Record<string, unknown>)).toBeInstanceOf(ProtocolError);
  });
});
