// `kgate serve`: store, admin API and the Kafka gateway, until SIGINT/SIGTERM.
import { createAdminApp } from "./admin/app.ts";
import { createKgateMetrics } from "./admin/metrics.ts";
import { resolveSecrets } from "./auth/secrets.ts";
import { createTokenSigner } from "./auth/tokens.ts";
import type { Config } from "./config/schema.ts";
import { getLogger } from "./log.ts";
import type { Runtime } from "./runtime/types.ts";
import { startGateway } from "./serve-gateway.ts";
import { applyDeclaredVclusters } from "./store/declared-vclusters.ts";
import { createStore } from "./store/create-store.ts";
import { createPlainAuthenticator } from "./auth/plain-authenticator.ts";
import { PassthroughPolicy } from "./gateway/passthrough-policy.ts";
import { parseHostPort } from "./gateway/upstream.ts";
import type { Gateway } from "./gateway/gateway.ts";
import type { StateStore } from "./store/state-store.ts";
import type { SessionPolicy } from "./gateway/session-policy.ts";
import { createBackingLookup } from "./vcluster/backing-lookup.ts";
import { Tenant } from "./vcluster/tenant.ts";
import { TopicIdDirectory } from "./vcluster/topic-id-directory.ts";
import { registerTopicIdMetrics } from "./vcluster/topic-id-metrics.ts";
import { VclusterPolicy } from "./vcluster/vcluster-policy.ts";

const log = getLogger("serve");

export async function serve(runtime: Runtime, config: Config): Promise<void> {
  if (config.backing.tls) {
    // Refuse rather than silently connect in plaintext to a cluster that expects TLS.
    throw new Error("backing.tls: TLS to the backing cluster is not supported yet; use PLAINTEXT or SASL_PLAINTEXT");
  }
  const clock = () => Date.now();
  const store = createStore(config.store, { files: runtime, clock, kafka: { runtime, backing: config.backing } });
  await store.load();
  await applyDeclaredVclusters(store, config.vclusters);
  const secrets = await resolveSecrets(config, store);
  const signer = await createTokenSigner(secrets.tokenSecret);
  const metrics = createKgateMetrics({ vclusterCount: () => store.listVclusters().length });

  const authenticate = createPlainAuthenticator({ store, staticUsers: config.auth.users, signer, clock });
  const vclusterLog = getLogger("vcluster");
  const topicIds = new TopicIdDirectory(
    createBackingLookup(runtime, config.backing.bootstrapServers.map(parseHostPort), config.backing.sasl),
    { log: (message) => vclusterLog.warn("{message}", { message }) },
  );
  registerTopicIdMetrics(metrics.registry, topicIds);
  // Transparent proxy while no tenant exists and nothing asks for authentication (invariant 2).
  const transparent = () =>
    store.listVclusters().length === 0 && config.auth.users.length === 0 && !config.listener.anonymous && !config.listener.pinnedVcluster;

  const gateway = await startGateway(runtime, config, {
    policyFor: (conn) => {
      if (transparent()) return new PassthroughPolicy(conn.rewrites);
      return new VclusterPolicy({
        authenticate,
        tenantFor: (name) => {
          const v = store.getVcluster(name);
          return v ? new Tenant(v.name, v.prefix) : null;
        },
        topicIds,
        brokers: conn.brokers,
        rewrites: conn.rewrites,
        clock,
        anonymous: config.listener.anonymous,
        log: (message) => vclusterLog.info("connection {id}: {message}", { id: conn.id, message }),
      }, config.listener.pinnedVcluster);
    },
    observer: {
      onRequest: (apiKey, bytes, policy) => {
        const vcluster = viewOf(policy);
        metrics.requests.inc({ api_key: apiKey, vcluster });
        metrics.bytesIn.inc({ vcluster }, bytes);
      },
      onResponse: (bytes, policy) => metrics.bytesOut.inc({ vcluster: viewOf(policy) }, bytes),
      onClose: (_reason, error) => {
        if (error) metrics.errors.inc({ kind: "connection" });
      },
    },
  });
  dropSessionsOnStoreChanges(store, gateway);
  metrics.registry.addCollector(() => metrics.connections.set({ vcluster: "all" }, gateway.connectionCount));

  // Handlers go in before "kgate ready" is printed: whoever waits for that line (a supervisor,
  // npm start, a test) may send SIGINT at once and must get a clean shutdown.
  const stopRequested = new Promise<void>((resolve) => {
    runtime.onSignal("SIGINT", () => resolve());
    runtime.onSignal("SIGTERM", () => resolve());
  });
  const app = createAdminApp({ store, config, metrics: metrics.registry, clock, adminToken: secrets.adminToken, signer });
  const http = await runtime.serveHttp({ host: config.admin.host, port: config.admin.port }, (req) => app.fetch(req));
  log.info("admin API on http://{host}:{port}", { host: config.admin.host, port: http.port });
  if (secrets.adminTokenGenerated) {
    console.log(`kgate generated an admin token (kept in the store, shown once):

  export KGATE_ADMIN_TOKEN=${secrets.adminToken}

Next: kgate vcluster create vc-alice
      kgate token create vc-alice --user alice --properties vc-alice.properties`);
  }
  console.log(`kgate ready: Kafka on ${config.listener.host}:${config.listener.port}, admin API on ${config.admin.host}:${http.port}`);

  await stopRequested;
  log.info("shutting down");
  await gateway.stop(5000);
  await http.stop();
  await store.close();
}

/** The metrics label of a connection: its vcluster, "passthrough", or "unauthenticated". */
function viewOf(policy: SessionPolicy): string {
  if (policy instanceof VclusterPolicy) return policy.view ?? "unauthenticated";
  return "passthrough";
}

/** Deleted vclusters and revoked tokens take effect on open connections at once. */
function dropSessionsOnStoreChanges(store: StateStore, gateway: Gateway): void {
  store.subscribe((event) => {
    if (event.type === "vcluster-deleted") {
      const name = event.vcluster.name;
      const n = gateway.closeSessions((s) => s.policy instanceof VclusterPolicy && s.policy.view === name, `vcluster ${name} was deleted`);
      if (n > 0) log.info("closed {n} connections of deleted vcluster {name}", { n, name });
    } else if (event.type === "token-revoked") {
      const jti = event.revoked.jti;
      gateway.closeSessions((s) => s.policy instanceof VclusterPolicy && s.policy.tokenId === jti, `token ${jti} was revoked`);
    }
  });
}
