// The responses whose error-message scrub is skipped must really have no message field: checked
// against the vendored Kafka specs at every version the codec knows below the listed one.
import { expect, test } from "bun:test";
import { elementType, type FieldSpec, type MessageSpec } from "../../../../scripts/lib/spec.ts";
import { loadSpecs } from "../../../../scripts/lib/vendored-specs.ts";
import { apiSpec } from "../../../../src/protocol/registry.ts";
import { offeredApiKeys } from "../../../../src/vcluster/allowed-apis.ts";
import { FIRST_ERROR_MESSAGE_VERSION, responseHasErrorMessages } from "../../../../src/vcluster/stages/error-message-free.ts";
import { rewritePlan } from "../../../../src/vcluster/stages/plan.ts";

const specs = loadSpecs();
const isMessageField = (prop: string) => prop === "errorMessage" || prop.endsWith("ErrorMessage");

function hasMessageField(msg: MessageSpec, version: number): boolean {
  const walk = (fields: readonly FieldSpec[]): boolean =>
    fields.some((f) => {
      if (version < f.versions.min || version > f.versions.max) return false;
      if (isMessageField(f.prop)) return true;
      const struct = msg.structs.get(elementType(f.type) ?? f.type);
      return struct !== undefined && walk(struct.fields);
    });
  return walk(msg.fields);
}

/** The first response version of `apiKey` with a message field, Infinity if none. */
function firstMessageVersion(apiKey: number): number {
  const api = apiSpec(apiKey)!;
  const msg = specs.get(`${api.name}Response`)!;
  for (let v = api.minVersion; v <= api.maxVersion; v++) if (hasMessageField(msg, v)) return v;
  return Infinity;
}

test("every listed API is message-free exactly below its listed version (never skips a message)", () => {
  const wrong = [...FIRST_ERROR_MESSAGE_VERSION].filter(([apiKey, first]) => firstMessageVersion(apiKey) !== first);
  expect(wrong.map(([apiKey, first]) => `${apiSpec(apiKey)!.name}: listed ${first}, specs ${firstMessageVersion(apiKey)}`)).toEqual([]);
});

test("every offered API whose responses start without a message field is listed (the skip stays complete)", () => {
  const missing = offeredApiKeys().filter((apiKey) => firstMessageVersion(apiKey) > apiSpec(apiKey)!.minVersion && !FIRST_ERROR_MESSAGE_VERSION.has(apiKey));
  expect(missing.map((k) => apiSpec(k)!.name)).toEqual([]);
});

test("the plan: Fetch and Metadata never scrub messages; Produce from v8; an unlisted API always", () => {
  expect(rewritePlan(1, 15).response.hasErrorMessages).toBe(false);
  expect(rewritePlan(3, 12).response.hasErrorMessages).toBe(false);
  expect(rewritePlan(0, 7).response.hasErrorMessages).toBe(false);
  expect(rewritePlan(0, 8).response.hasErrorMessages).toBe(true);
  expect(responseHasErrorMessages(32, 4)).toBe(true); // DescribeConfigs: not listed
});
