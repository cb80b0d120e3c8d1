// ApiVersions: answered by kgate from the backing versions, clamped to what a vcluster offers:
// delegation tokens (38) and feature updates (57) are left out though the broker offers them;
// the ACL APIs (29) and share groups (76) are in since vclusters offer them.
import { expect } from "bun:test";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "clamped to the vcluster's APIs, SASL offered by kgate itself",
    apiKey: ApiKey.ApiVersions,
    versions: [0, 3, 5],
    request: request(ApiKey.ApiVersions, { clientSoftwareName: "app", clientSoftwareVersion: "1" }),
    answer: {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 3 },
        { apiKey: 1, minVersion: 4 },
        { apiKey: 3 },
        { apiKey: 17 },
        { apiKey: 18 },
        { apiKey: 29 },
        { apiKey: 36 },
        { apiKey: 68 },
        { apiKey: 71 },
        { apiKey: 72 },
        { apiKey: 76 },
      ],
    },
  }),
  scenario({
    name: "every advertised version is one a vcluster offers",
    apiKey: ApiKey.ApiVersions,
    versions: [3],
    request: request(ApiKey.ApiVersions, { clientSoftwareName: "app", clientSoftwareVersion: "1" }),
    answer: { apiKeys: expect.not.arrayContaining([expect.objectContaining({ apiKey: 38 }), expect.objectContaining({ apiKey: 57 })]) },
  }),
];
