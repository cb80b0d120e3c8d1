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

const log = getLogger("serve");

export async function serve(runtime: Runtime, config: Config): Promise<void> {
  const clock = () => Date.now();
  const store = createStore(config.store, { files: runtime, clock });
  await store.load();
  await applyDeclaredVclusters(store, config.vclusters);
  const secrets = await resolveSecrets(config, store);
  const signer = await createTokenSigner(secrets.tokenSecret);
  const metrics = createKgateMetrics({ vclusterCount: () => store.listVclusters().length });

  const gateway = await startGateway(runtime, config, {
    observer: {
      onRequest: (apiKey, bytes) => {
        metrics.requests.inc({ api_key: apiKey, vcluster: "passthrough" });
        metrics.bytesIn.inc({ vcluster: "passthrough" }, bytes);
      },
      onResponse: (bytes) => metrics.bytesOut.inc({ vcluster: "passthrough" }, bytes),
      onClose: (_reason, error) => {
        if (error) metrics.errors.inc({ kind: "connection" });
      },
    },
  });
  metrics.registry.addCollector(() => metrics.connections.set({ vcluster: "all" }, gateway.connectionCount));

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

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    runtime.onSignal("SIGINT", stop);
    runtime.onSignal("SIGTERM", stop);
  });
  log.info("shutting down");
  await gateway.stop(5000);
  await http.stop();
  await store.close();
}
