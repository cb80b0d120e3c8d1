// The vcluster an SNI host name names (`listener.sni.vclusterInHost`) restricts who may use the
// connection and grants nothing: the client chose the name. The SASL login path is attacked
// end to end in test/e2e/tls-sni.test.ts; these are the other ways into a view.
import { describe, expect, test } from "bun:test";
import type { CertificateIdentity } from "../../src/auth/certificate-identity.ts";
import { BrokerDirectory } from "../../src/gateway/broker-directory.ts";
import { ResponseRewrites } from "../../src/gateway/passthrough-policy.ts";
import type { RequestOutcome } from "../../src/gateway/session-policy.ts";
import { encodeRequest } from "../../src/protocol/codec.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import { TopicIdDirectory } from "../../src/vcluster/topic-id-directory.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import { type ListenerViews, VclusterPolicy } from "../../src/vcluster/vcluster-policy.ts";

const brokers = new BrokerDirectory({ advertisedHost: "127.0.0.1", brokerPortBase: 7001, brokerPorts: {}, openBrokerListener: () => Promise.resolve() });
const VCLUSTERS = ["vc-a", "vc-b"];

function policy(views: ListenerViews, certificate: CertificateIdentity | null = null): VclusterPolicy {
  return new VclusterPolicy(
    {
      authenticate: () => Promise.resolve({ ok: false, reason: "no logins here" }),
      scramAccount: () => undefined,
      authenticateBearer: () => Promise.resolve({ ok: false, reason: "no logins here" }),
      tenantFor: (name) => (VCLUSTERS.includes(name) ? new Tenant(name, `${name}.`) : null),
      vclusterGeneration: (name) => (VCLUSTERS.includes(name) ? "1" : undefined),
      identityProblem: () => null,
      listenerViews: () => views,
      backingApiVersions: () => Promise.reject(new Error("not needed")),
      certificate,
      failedAuthenticationDelayMs: 0,
      maxPreAuthFrameBytes: 524_288,
      topicIds: new TopicIdDirectory(() => Promise.reject(new Error("no lookups here"))),
      brokers,
      rewrites: new ResponseRewrites(brokers),
      clock: () => Date.now(),
      log: () => {},
    } as ConstructorParameters<typeof VclusterPolicy>[0],
  );
}

const METADATA = { apiKey: 3, apiVersion: 12, correlationId: 1 };
const metadataFrame = concatBytes(encodeRequest({ ...METADATA, clientId: "t" }, { ...defaultMetadataRequest(), topics: null }));

async function closeReason(p: VclusterPolicy): Promise<string | null> {
  const outcome: RequestOutcome = await p.onRequest(metadataFrame, METADATA);
  return outcome.kind === "close" ? outcome.reason : null;
}

describe("the vcluster named by the host", () => {
  test("the anonymous view of another vcluster is not given; the authentication timeout runs", async () => {
    const p = policy({ anonymous: "vc-b", hostVcluster: "vc-a" });
    expect(p.awaitingAuthentication).toBe(true);
    expect(await closeReason(p)).toBe("authentication required: Metadata sent before SASL authentication");
    expect(p.view).toBeNull();
    expect(policy({ anonymous: "vc-a", hostVcluster: "vc-a" }).awaitingAuthentication).toBe(false);
  });

  test("a client certificate of another vcluster is refused", async () => {
    const p = policy({ hostVcluster: "vc-a" }, { username: "robot", vcluster: "vc-b" });
    expect(await closeReason(p)).toBe(`client certificate of "robot" belongs to vc-b, but the connection's host name pins vc-a`);
    expect(p.view).toBeNull();
  });

  test("a listener pinned to another vcluster refuses the connection whatever it sends", async () => {
    const p = policy({ pinned: "vc-b", hostVcluster: "vc-a" });
    expect(p.view).toBeNull();
    expect(await closeReason(p)).toBe("the listener is pinned to vcluster vc-b, but the connection's host name pins vc-a");
  });

  test("naming a vcluster alone is no login", async () => {
    const p = policy({ hostVcluster: "vc-a" });
    expect(p.awaitingAuthentication).toBe(true);
    expect(await closeReason(p)).toBe("authentication required: Metadata sent before SASL authentication");
  });
});
