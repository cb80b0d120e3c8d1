// CreateAcls: answered by kgate, stored as alice's own ACLs (her names, never prefixed), never
// forwarded to the backing cluster; an ACL the broker would refuse is refused the same way.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { Op, Pattern, Permission, Res } from "../../../../src/model/acl-model.ts";
import { request, scenario } from "../../../support/scenario.ts";

const creation = {
  resourceType: Res.GROUP,
  resourceName: "g",
  resourcePatternType: Pattern.LITERAL,
  principal: "User:app",
  host: "*",
  operation: Op.READ,
  permissionType: Permission.ALLOW,
};

export default [
  scenario({
    name: "stored by kgate, each creation answered",
    apiKey: ApiKey.CreateAcls,
    versions: [1, 2, 3],
    request: request(ApiKey.CreateAcls, { creations: [creation, { ...creation, resourceType: Res.TOPIC, resourceName: "orders" }] }),
    answer: { results: [{ errorCode: 0, errorMessage: null }, { errorCode: 0, errorMessage: null }] },
  }),
  scenario({
    name: "an ANY operation is no ACL: INVALID_REQUEST, as the broker answers",
    apiKey: ApiKey.CreateAcls,
    versions: [3],
    request: request(ApiKey.CreateAcls, { creations: [{ ...creation, operation: Op.ANY }] }),
    answer: { results: [{ errorCode: 42 }] },
  }),
];
