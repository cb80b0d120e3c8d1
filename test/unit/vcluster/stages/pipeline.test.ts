// The order of the stages is the data plane's contract: these are the orderings the code relies on.
import { describe, expect, test } from "bun:test";
import { REQUEST_STAGES, RESPONSE_STAGES } from "../../../../src/vcluster/stages/pipeline.ts";
import { acl } from "../../../../src/vcluster/stages/acl.ts";
import { fetchSessionGuard } from "../../../../src/vcluster/stages/fetch-session-guard.ts";
import { fetchSessionTrack } from "../../../../src/vcluster/stages/fetch-session-track.ts";
import { handRuleRequest, handRuleResponse } from "../../../../src/vcluster/stages/hand-rule.ts";
import { prefixNames } from "../../../../src/vcluster/stages/prefix-names.ts";
import { topicIdGuard } from "../../../../src/vcluster/stages/topic-id-guard.ts";
import { learnTopicIds } from "../../../../src/vcluster/stages/learn-topic-ids.ts";
import { restoreTopicIds } from "../../../../src/vcluster/stages/restore-topic-ids.ts";
import { dropForeignNames } from "../../../../src/vcluster/stages/drop-foreign.ts";
import { dropForeignIds } from "../../../../src/vcluster/stages/drop-foreign-ids.ts";
import { stripNames } from "../../../../src/vcluster/stages/strip-names.ts";
import { scrubLeaks } from "../../../../src/vcluster/stages/scrub-leaks.ts";
import { responseFixups } from "../../../../src/vcluster/stages/response-fixups.ts";

const before = (list: readonly unknown[], a: unknown, b: unknown) => {
  expect(list.indexOf(a)).toBeGreaterThanOrEqual(0);
  expect(list.indexOf(b)).toBeGreaterThanOrEqual(0);
  expect(list.indexOf(a)).toBeLessThan(list.indexOf(b));
};

describe("stage order", () => {
  test("each stage runs once", () => {
    expect(new Set(REQUEST_STAGES).size).toBe(REQUEST_STAGES.length);
    expect(new Set(RESPONSE_STAGES).size).toBe(RESPONSE_STAGES.length);
  });

  test("request: the session guard first, ACLs on the tenant's names, ids checked after the rules", () => {
    expect(REQUEST_STAGES[0]).toBe(fetchSessionGuard);
    before(REQUEST_STAGES, acl, prefixNames);
    before(REQUEST_STAGES, prefixNames, handRuleRequest);
    before(REQUEST_STAGES, handRuleRequest, topicIdGuard);
    before(REQUEST_STAGES, topicIdGuard, fetchSessionTrack);
  });

  test("response: ids learned from backing names first, foreign entries dropped before the prefix comes off, fix-ups last", () => {
    expect(RESPONSE_STAGES[0]).toBe(learnTopicIds);
    before(RESPONSE_STAGES, restoreTopicIds, dropForeignIds);
    before(RESPONSE_STAGES, handRuleResponse, stripNames);
    before(RESPONSE_STAGES, dropForeignNames, stripNames);
    before(RESPONSE_STAGES, dropForeignIds, stripNames);
    before(RESPONSE_STAGES, stripNames, scrubLeaks);
    expect(RESPONSE_STAGES.at(-1)).toBe(responseFixups);
  });
});
