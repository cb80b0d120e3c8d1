// DeleteAcls: answered by kgate from alice's own ACLs in its store, never forwarded; the
// deleted ACLs come back in her names, and bob's are out of reach.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { Op, Pattern, Permission, Res } from "../../../../src/model/acl-model.ts";
import { ALICE_ACL, request, scenario } from "../../../support/scenario.ts";

const anyFilter = {
  resourceTypeFilter: Res.ANY,
  resourceNameFilter: null,
  patternTypeFilter: Pattern.ANY,
  principalFilter: null,
  hostFilter: null,
  operation: Op.ANY,
  permissionType: Permission.ANY,
};

export default [
  scenario({
    name: "a match-all filter deletes alice's ACLs only, answered by kgate",
    apiKey: ApiKey.DeleteAcls,
    versions: [1, 2, 3],
    request: request(ApiKey.DeleteAcls, { filters: [anyFilter] }),
    answer: {
      filterResults: [{
        errorCode: 0,
        matchingAcls: [{
          errorCode: 0,
          resourceType: Res.TOPIC,
          resourceName: "orders",
          patternType: Pattern.LITERAL,
          principal: ALICE_ACL.principal,
          host: "*",
          operation: Op.READ,
          permissionType: Permission.ALLOW,
        }],
      }],
    },
  }),
  scenario({
    name: "a filter naming bob's topic deletes nothing",
    apiKey: ApiKey.DeleteAcls,
    versions: [3],
    request: request(ApiKey.DeleteAcls, { filters: [{ ...anyFilter, resourceTypeFilter: Res.TOPIC, resourceNameFilter: "secret" }] }),
    answer: { filterResults: [{ errorCode: 0, matchingAcls: [] }] },
  }),
];
