// DescribeAcls: answered by kgate from alice's own ACLs in its store, in her names, never
// forwarded (the backing cluster's ACLs name backing principals); bob's ACLs are never shown.
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
    name: "every ACL of alice's vcluster, in her names, answered by kgate",
    apiKey: ApiKey.DescribeAcls,
    versions: [1, 2, 3],
    request: request(ApiKey.DescribeAcls, anyFilter),
    answer: {
      errorCode: 0,
      resources: [{
        resourceType: Res.TOPIC,
        resourceName: "orders",
        patternType: Pattern.LITERAL,
        acls: [{ principal: ALICE_ACL.principal, host: "*", operation: Op.READ, permissionType: Permission.ALLOW }],
      }],
    },
  }),
  scenario({
    name: "a filter naming bob's topic finds nothing: only alice's store is searched",
    apiKey: ApiKey.DescribeAcls,
    versions: [3],
    request: request(ApiKey.DescribeAcls, { ...anyFilter, resourceTypeFilter: Res.TOPIC, resourceNameFilter: "secret" }),
    answer: { errorCode: 0, resources: [] },
  }),
];
