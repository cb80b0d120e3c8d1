// `kgate serve`: store, admin API and the Kafka gateway, until SIGINT/SIGTERM.
import { createAdminApp } from "./admin/app.ts";
import { apiLabel, type CounterHandle, createKgateMetrics, type HistogramHandle } from "./metrics/metrics.ts";
import { LiveStats } from "./admin/live-stats.ts";
import { createBackingInventory } from "./client/backing-inventory.ts";
import { KafkaConnection } from "./client/kafka-connection.ts";
import { resolveSecrets } from "./auth/secrets.ts";
import { createTokenSigner } from "./auth/tokens.ts";
import type { Config } from "./config/schema.ts";
import { COMMIT, VERSION } from "./base/version.ts";
import { connectionFields, getLogger } from "./base/log.ts";
import { LiveSettings } from "./live-settings.ts";
import { ConfigReloader } from "./config-reloader.ts";
import { ConfigWatch } from "./config/config-watch.ts";
import { AuditTrail } from "./audit/audit-trail.ts";
import { fileSink } from "./audit/file-sink.ts";
import { kafkaSink } from "./audit/kafka-sink.ts";
import type { Runtime } from "./runtime/types.ts";
import { startGateway } from "./serve-gateway.ts";
import { applyDeclaredVclusters } from "./store/declared-vclusters.ts";
import { createStore } from "./store/create-store.ts";
import { createPlainAuthenticator } from "./auth/plain-authenticator.ts";
import { createBearerAuthenticator } from "./auth/oauth-authenticator.ts";
import type { ClientAccount } from "./auth/oauth-client-credentials.ts";
import { ExternalIssuers } from "./auth/oauth-external-issuers.ts";
import { createKgateAccessTokens } from "./auth/oauth-kgate-tokens.ts";
import { PassthroughPolicy } from "./gateway/passthrough-policy.ts";
import { parseHostPort } from "./client/upstream.ts";
import { BackingApiVersions } from "./gateway/backing-api-versions.ts";
import { ListenerTls } from "./gateway/listener-tls.ts";
import { loadBackingTls } from "./gateway/backing-tls.ts";
import { certificateIdentifier } from "./auth/certificate-identity.ts";
import { InternalTopics } from "./gateway/internal-topics.ts";
import { InternalTopicsGuard } from "./gateway/internal-topics-guard.ts";
import { createBackingLookup } from "./vcluster/backing-lookup.ts";
import { Tenant } from "./vcluster/tenant.ts";
import { TopicIdDirectory } from "./vcluster/topic-id-directory.ts";
import { registerTopicIdMetrics } from "./vcluster/topic-id-metrics.ts";
import { TopicPolicies } from "./vcluster/topic-policy-lookup.ts";
import { QuotaManager } from "./vcluster/quota-manager.ts";
import { registerQuotaMetrics } from "./vcluster/quota-metrics.ts";
import { type LoginIdentity, type ScramAccount, VclusterPolicy } from "./vcluster/vcluster-policy.ts";
import type { ScramMechanism } from "./sasl/scram-primitives.ts";
import { registerClusterMetrics } from "./cluster/cluster-metrics.ts";
import { type ClusterMode, startClusterMode } from "./cluster/cluster-mode.ts";
import { BackingProvisioner } from "./backing/provisioner.ts";
import { TenantCredentials } from "./backing/tenant-credentials.ts";
import { upstreamCredentialsFor } from "./backing/upstream-credentials.ts";
import { aclSettingsFrom } from "./vcluster/acl/acl-stage.ts";
import { clientIpAddress } from "./vcluster/acl/client-address.ts";

const log = getLogger("serve");
/** How often the listener's certificate files are checked for a renewal. */
const LISTENER_TLS_POLL_MS = 2000;

/**
 * Reads and validates the configuration again (SIGHUP, file change); throws a ConfigError listing
 * bad keys. `path` is the file to watch (none: embedded defaults, nothing to watch).
 */
export type ConfigReload = (() => Promise<Config>) & { readonly path?: string };

export async function serve(runtime: Runtime, config: Config, reloadConfig?: ConfigReload): Promise<void> {
  const live = new LiveSettings(config);
  const backingTls = await loadBackingTls(runtime, config.backing.tls);
  const audit = new AuditTrail([
    ...(config.audit.file ? [fileSink(runtime, config.audit.file)] : []),
    ...(config.audit.topic
      ? [kafkaSink({ runtime, bootstrap: config.backing.bootstrapServers.map(parseHostPort), sasl: config.backing.sasl, tls: backingTls }, config.audit.topic)]
      : []),
  ]);
  const clock = () => Date.now();
  const store = createStore(config.store, { files: runtime, clock, kafka: { runtime, backing: config.backing, backingTls } });
  await store.load();
  await applyDeclaredVclusters(store, config.vclusters);
  const secrets = await resolveSecrets(config, store, runtime);
  const signer = await createTokenSigner(secrets.tokenSecret);
  const tenantCredentials = new TenantCredentials(config.backing.credentialSecret ?? secrets.tokenSecret);
  const backingAcls = new BackingProvisioner({
    runtime,
    bootstrap: config.backing.bootstrapServers.map(parseHostPort),
    sasl: config.backing.sasl,
    tls: backingTls,
    credentials: tenantCredentials,
    timeoutMs: config.limits.backingTimeoutMs,
  });
  const metrics = createKgateMetrics({
    vclusterCount: () => store.listVclusters().length,
    build: { version: VERSION, commit: COMMIT, runtime: runtime.name },
  });

  // Metric handles per API and view: building label text costs ~3 µs, too much for every request.
  // The broker's series appears with its first forwarded request, not for APIs kgate answers.
  const latencyHandles = new Map<string, { requests: CounterHandle; kgate: HistogramHandle; broker: HistogramHandle }>();
  const latencyTimers = (apiKey: number, view: string | null) => {
    // Keyed by the label (unknown keys share "unknown"), so random API keys cannot grow the map.
    const api = apiLabel(apiKey);
    const key = `${api}/${view}`;
    let handles = latencyHandles.get(key);
    if (!handles) {
      const labels = { api, vcluster: view ?? "unauthenticated" };
      let broker: HistogramHandle | undefined;
      handles = {
        requests: metrics.requests.labels(labels),
        kgate: metrics.requestDuration.labels(labels),
        broker: { observe: (seconds) => (broker ??= metrics.brokerRequestDuration.labels(labels)).observe(seconds) },
      };
      latencyHandles.set(key, handles);
    }
    return handles;
  };

  const byteHandles = new Map<string | null, { in: CounterHandle; out: CounterHandle }>();
  const byteCounters = (view: string | null) => {
    let handles = byteHandles.get(view);
    if (!handles) {
      const labels = { vcluster: view ?? "unauthenticated" };
      handles = { in: metrics.bytesIn.labels(labels), out: metrics.bytesOut.labels(labels) };
      byteHandles.set(view, handles);
    }
    return handles;
  };

  const authenticate = createPlainAuthenticator({
    store,
    // A getter: static users change on a config reload.
    get staticUsers() {
      return live.users;
    },
    signer,
    clock,
  });
  const kgateAccessTokens = await createKgateAccessTokens(secrets.tokenSecret);
  const oauthLog = getLogger("auth.oauth");
  const externalIssuers = await ExternalIssuers.load(
    config.auth.oauth.issuers,
    (path) => runtime.readTextFile(path),
    clock(),
    (line) => oauthLog.warn("{line}", { line }),
  );
  const authenticateBearer = createBearerAuthenticator({ store, kgateTokens: kgateAccessTokens, external: externalIssuers, clock });
  const backingLookup = createBackingLookup(
    runtime,
    config.backing.bootstrapServers.map(parseHostPort),
    config.backing.sasl,
    backingTls,
    () => live.limits.backingTimeoutMs,
  );
  const internalTopics = new InternalTopics(config.store.type === "kafka" ? [config.store.topic] : []);
  const guardLog = getLogger("gateway.internal-topics");
  // One per connection, so its refusals are logged with the connection, vcluster and principal.
  const connectionGuard = (id: number, who: Parameters<typeof connectionFields>[1]) =>
    new InternalTopicsGuard(internalTopics, (line) => guardLog.warn("connection {connection}: {line}", { ...connectionFields(id, who), line }));
  const quotas = new QuotaManager({
    // A getter: the config's quotas change on a reload, a vcluster's own with the store.
    get defaults() {
      return live.quotas;
    },
    own: (name) => store.getVcluster(name)?.quotas,
    window: { samples: config.limits.quotaWindowNum, windowMs: config.limits.quotaWindowSizeSeconds * 1000 },
    clock,
  });
  registerQuotaMetrics(metrics.registry, quotas);
  const policyLog = getLogger("vcluster.topic-policy");
  const topicPolicies = new TopicPolicies(
    config.topicPolicy,
    (name) => store.getVcluster(name)?.topicPolicy,
    backingLookup,
    clock,
    (line) => policyLog.info("{line}", { line }),
    (name) => quotas.quotasOf(name),
  );
  const stopRefreshing = await refreshInternalTopicIds(internalTopics, backingLookup);
  const vclusterLog = getLogger("vcluster");
  const topicIds = new TopicIdDirectory(backingLookup, {
    get lookupTimeoutMs() {
      return live.limits.backingTimeoutMs;
    },
    log: (detail) => vclusterLog.warn("{detail}", { detail }),
  });
  registerTopicIdMetrics(metrics.registry, topicIds);
  const backingApiVersions = new BackingApiVersions(backingLookup, {
    get timeoutMs() {
      return live.limits.backingTimeoutMs;
    },
  });
  let identifyCertificate = certificateIdentifier(live.certificates);
  // A SCRAM login name is "user@vcluster", or a user name no other vcluster has for that mechanism.
  const scramAccount = (login: string, mechanism: ScramMechanism): ScramAccount | undefined => {
    const found = (vcluster: string, username: string) => {
      const credential = store.listServiceAccounts(vcluster).find((a) => a.username === username)?.scram?.[mechanism];
      return credential ? { vcluster, username, credential } : undefined;
    };
    const at = login.lastIndexOf("@");
    const explicit = at > 0 && store.getVcluster(login.slice(at + 1)) ? found(login.slice(at + 1), login.slice(0, at)) : undefined;
    if (explicit) return explicit;
    const matches = store.listVclusters().map((v) => found(v.name, login)).filter((a) => a !== undefined);
    return matches.length === 1 ? matches[0] : undefined;
  };
  // The token endpoint's clients: SCRAM service accounts, by their strongest stored credential.
  const clientAccount = (clientId: string): ClientAccount | undefined => {
    for (const mechanism of ["SCRAM-SHA-512", "SCRAM-SHA-256"] as const) {
      const account = scramAccount(clientId, mechanism);
      if (account) return { ...account, mechanism };
    }
    return undefined;
  };
  // Transparent proxy only while the store has never held a vcluster and nothing in the config
  // asks for authentication: a state of the store, not of the moment (invariant 2).
  const transparent = () =>
    !store.tenancyBegan() && live.users.length === 0 && live.certificates.length === 0 && externalIssuers.size === 0 &&
    !live.listenerViews.anonymous && !live.listenerViews.pinned;
  if (transparent()) {
    log.warn(
      "transparent proxy: this store has never held a virtual cluster, so every client sees the whole backing cluster; the first vcluster ends this for good",
    );
  }
  const identityProblem = (identity: LoginIdentity): string | null => {
    if (identity.via === "token") return identity.tokenId && store.isTokenRevoked(identity.tokenId) ? `token ${identity.tokenId} was revoked` : null;
    if (identity.via === "oauth") {
      if (identity.tokenId && store.isTokenRevoked(identity.tokenId)) return `access token ${identity.tokenId} was revoked`;
      const account = store.listServiceAccounts(identity.vcluster).find((a) => a.username === identity.username);
      return account?.scram ? null : `service account "${identity.username}" was removed`;
    }
    // Bound by the token's expiry (the session ends with it); issuers change only with a restart.
    if (identity.via === "oauth-external") return null;
    if (identity.via === "scram") {
      const account = store.listServiceAccounts(identity.vcluster).find((a) => a.username === identity.username);
      return account?.scram ? null : `service account "${identity.username}" was removed`;
    }
    if (identity.via === "certificate") {
      const mapped = live.certificates.some((c) => c.username === identity.username && c.vcluster === identity.vcluster);
      return mapped ? null : `client certificate mapping of "${identity.username}" was removed`;
    }
    const bound = live.users.some((u) => u.username === identity.username && u.vcluster === identity.vcluster);
    return bound ? null : `static user "${identity.username}" was removed`;
  };

  // Vcluster ACLs, read live from the store on every request (a change applies at once, on every node).
  const acls = {
    settings: aclSettingsFrom((name) => store.getVcluster(name), (name) => store.listAcls(name)),
    admin: { list: (v: string) => store.listAcls(v), create: store.createAcls.bind(store), delete: store.deleteAcls.bind(store) },
  };
  const listenerTls = config.listener.tls ? await ListenerTls.load(runtime, config.listener.tls) : undefined;
  listenerTls?.watch(LISTENER_TLS_POLL_MS);
  const gateway = await startGateway(runtime, config, {
    listenerTls,
    backingTls,
    policyFor: (conn) => {
      // A host name that names a vcluster never gets the transparent view (fail closed).
      if (transparent() && conn.hostVcluster === undefined) {
        return new PassthroughPolicy(
          conn.rewrites,
          connectionGuard(conn.id, { view: "passthrough" }),
          () => transparent() ? null : "a virtual cluster now exists: the transparent proxy view has ended",
        );
      }
      const policy: VclusterPolicy = new VclusterPolicy({
        authenticate,
        authenticateBearer,
        scramAccount,
        tenantFor: (name) => {
          const v = store.getVcluster(name);
          if (!v) return null;
          if (internalTopics.prefixReaches(v.prefix)) {
            // Fail closed: such a tenant could name kgate's own topics (the store should never allow it).
            vclusterLog.error("vcluster {name} is not served: its prefix {prefix} reaches kgate's internal topics", { name: v.name, prefix: v.prefix });
            return null;
          }
          const others = () => store.listVclusters().filter((o) => o.name !== name).map((o) => o.prefix);
          return new Tenant(v.name, v.prefix, others);
        },
        vclusterGeneration: (name) => store.getVcluster(name)?.createdAt,
        backingCredentials: upstreamCredentialsFor((name) => store.getVcluster(name), tenantCredentials),
        identityProblem,
        listenerViews: conn.hostVcluster === undefined ? () => live.listenerViews : () => ({ ...live.listenerViews, hostVcluster: conn.hostVcluster }),
        backingApiVersions: () => backingApiVersions.get(),
        certificate: identifyCertificate(conn.client.tls),
        // Getters: a reloaded limit applies to open connections' next login attempt too.
        get failedAuthenticationDelayMs() {
          return live.limits.failedAuthenticationDelayMs;
        },
        get maxPreAuthFrameBytes() {
          return live.limits.maxPreAuthFrameBytes;
        },
        topicIds,
        topicPolicies,
        quotas,
        brokers: conn.brokers,
        rewrites: conn.rewrites,
        internalTopics: connectionGuard(conn.id, {
          get view() {
            return policy.view;
          },
          get principal() {
            return policy.principal;
          },
        }),
        clock,
        log: (detail) => vclusterLog.info("connection {connection}: {detail}", { ...connectionFields(conn.id, policy), detail }),
        onAuthenticationFailure: (reason) => metrics.authenticationFailures.inc({ reason }),
        audit,
        source: `${conn.client.remoteAddress}:${conn.client.remotePort}`,
        connectionId: conn.id,
        acls,
        clientHost: clientIpAddress(conn.client.remoteAddress),
      });
      return policy;
    },
    observer: {
      onRequest: (apiKey, bytes, policy) => {
        latencyTimers(apiKey, policy.view).requests.inc();
        byteCounters(policy.view).in.inc(bytes);
      },
      onResponse: (bytes, policy) => byteCounters(policy.view).out.inc(bytes),
      onRequestDone: (timing) => {
        const timers = latencyTimers(timing.apiKey, timing.view);
        timers.kgate.observe(timing.kgateSeconds);
        if (timing.brokerSeconds !== undefined) timers.broker.observe(timing.brokerSeconds);
      },
      onUpstreamFailed: () => metrics.upstreamConnectFailures.inc(),
      onClose: (_reason, error) => {
        if (error) metrics.errors.inc({ kind: "connection" });
      },
    },
  });
  const reloader = reloadConfig && new ConfigReloader(live, reloadConfig, {
    replaceListenerTls: listenerTls && ((files) => listenerTls.replaceFiles(files)),
    applied: () => {
      identifyCertificate = certificateIdentifier(live.certificates);
      topicPolicies.setDefaults(live.topicPolicy);
      gateway.updateLimits(gatewayLimits(live.limits));
    },
    recheckSessions: () => gateway.recheckSessions(),
  });
  // SIGHUP: certificate files and the config's live parts; a changed config file does the same.
  runtime.onSignal("SIGHUP", () => {
    void listenerTls?.reload();
    void reloader?.reload("SIGHUP");
  });
  const configWatch = reloader && reloadConfig?.path ? new ConfigWatch(runtime, reloadConfig.path, () => void reloader.reload("file change")) : undefined;
  await configWatch?.start();
  // Every store change re-checks every connection's view; exactly those that lost it close.
  store.subscribe((event) => {
    const n = gateway.recheckSessions();
    if (n > 0) log.info("closed {n} connections after {event}", { n, event: event.type });
  });
  // Cluster mode: join the other nodes and spread the brokers over them (listener.advertise: cluster).
  const clusterLog = getLogger("cluster");
  const cluster: ClusterMode | undefined = config.listener.advertise === "cluster"
    ? await startClusterMode({
      runtime,
      config,
      gateway,
      backingTls,
      lookup: backingLookup,
      build: { version: VERSION, runtime: runtime.name },
      log: (level, line) => (level === "warn" ? clusterLog.warn("{line}", { line }) : clusterLog.info("{line}", { line })),
    })
    : undefined;
  if (cluster) registerClusterMetrics(metrics.registry, cluster);
  metrics.registry.addCollector(() => {
    metrics.connections.setAll([...gateway.connectionsByView()].map(([view, n]) => [{ vcluster: view ?? "unauthenticated" }, n]));
    metrics.upstreamConnections.setAll([...gateway.upstreamStates().values()].map((u) => [{ state: u.state, broker: u.broker }, u.count]));
    if (store.recordsBehind) metrics.storeLag.set(undefined, store.recordsBehind());
  });

  // Handlers go in before "kgate ready" is printed: whoever waits for that line (a supervisor,
  // npm start, a test) may send SIGINT at once and must get a clean shutdown.
  // A second signal while draining (Ctrl-C twice) cuts the drain short: close everything now.
  let stopSignals = 0;
  const stopRequested = new Promise<void>((resolve) => {
    const onStop = () => {
      if (++stopSignals === 2) {
        log.warn("second stop signal: closing every connection now");
        gateway.closeSessions(() => true, "kgate is shutting down (second stop signal)");
      }
      resolve();
    };
    runtime.onSignal("SIGINT", onStop);
    runtime.onSignal("SIGTERM", onStop);
  });
  const clientTruststore = config.listener.tls?.truststore ? await runtime.readTextFile(config.listener.tls.truststore) : undefined;
  // The console's live view and topic lists (GET /v1/vclusters/{name}/live, /topics, /groups, /v1/gateway).
  const liveStats = new LiveStats(metrics.registry);
  liveStats.start();
  const inventory = createBackingInventory({
    lookup: backingLookup,
    openBroker: (address) => KafkaConnection.open(runtime, [address], { sasl: config.backing.sasl, tls: backingTls, clientId: "kgate-console" }),
    timeoutMs: config.limits.backingTimeoutMs,
  });
  const app = createAdminApp({
    store,
    config,
    metrics: metrics.registry,
    clock,
    adminToken: secrets.adminToken,
    signer,
    clientTruststore,
    oauth: { tokens: kgateAccessTokens, clientAccount },
    audit,
    liveStats,
    inventory,
    runtimeName: runtime.name,
    backingAcls,
  });
  const adminTls = config.admin.tls
    ? { cert: await runtime.readTextFile(config.admin.tls.cert), key: await runtime.readTextFile(config.admin.tls.key) }
    : undefined;
  const http = await runtime.serveHttp({ host: config.admin.host, port: config.admin.port, tls: adminTls }, (req) => app.fetch(req));
  const scheme = adminTls ? "https" : "http";
  log.info("admin API on {scheme}://{host}:{port}, web console on {scheme}://{host}:{port}/ui", { scheme, host: config.admin.host, port: http.port });
  if (secrets.adminTokenFile) log.info("admin token in {path} (mode 0600)", { path: secrets.adminTokenFile });
  if (secrets.adminTokenGenerated) announceGeneratedAdminToken(runtime, secrets.adminToken, secrets.adminTokenFile!);
  console.log(`kgate ready: Kafka on ${config.listener.host}:${config.listener.port}, admin API on ${config.admin.host}:${http.port}`);

  await stopRequested;
  const timeoutMs = config.shutdown.timeoutMs;
  log.info("shutting down: no new connections; open ones get their owed responses, then close (up to {timeoutMs} ms)", { timeoutMs });
  configWatch?.stop();
  listenerTls?.stop();
  liveStats.stop();
  stopRefreshing();
  await cluster?.stop(); // first: the others take this node's brokers over at once
  const { drained, cut } = await gateway.stop(timeoutMs);
  log.info("connections closed: {drained} after their last response, {cut} cut at the timeout", { drained, cut });
  // The rest is bounded too: a store or audit sink that cannot reach Kafka must not keep kgate up.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finished = await Promise.race([
    Promise.all([http.stop(), audit.close(), store.close()]).then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SHUTDOWN_CLOSE_MS))),
  ]);
  clearTimeout(timer);
  if (!finished) log.warn("admin API, audit trail or store did not close within {ms} ms; exiting anyway", { ms: SHUTDOWN_CLOSE_MS });
  log.info("stopped");
}

/** After the connections: the admin API, the audit trail's last events and the store's last write. */
const SHUTDOWN_CLOSE_MS = 5000;

/** The gateway's share of `limits`, for a reload. */
function gatewayLimits(limits: Config["limits"]): Parameters<Awaited<ReturnType<typeof startGateway>>["updateLimits"]>[0] {
  return {
    sessionLimits: {
      maxFrameBytes: limits.maxFrameBytes,
      maxQueuedResponseBytes: limits.maxQueuedResponseBytes,
      maxInFlightRequests: limits.maxInFlightRequests,
      upstreamConnectTimeoutMs: limits.backingTimeoutMs,
    },
    maxConnections: limits.maxConnections,
    maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
    authenticationTimeoutMs: limits.authenticationTimeoutMs,
    idleTimeoutMs: limits.connectionsMaxIdleMs,
  };
}

const INTERNAL_TOPICS_REFRESH_MS = 60_000;
const INTERNAL_TOPICS_FIRST_LOOKUP_MS = 5_000;

/**
 * Shown once, and the token itself only on an interactive terminal: stdout that goes to a file
 * or a pipe is a log by another name (invariant 6).
 */
function announceGeneratedAdminToken(runtime: Runtime, token: string, file: string): void {
  const shown = runtime.stdoutIsTerminal()
    ? `kgate generated an admin token (kept in ${file}, readable by you only; shown once):

  export KGATE_ADMIN_TOKEN=${token}`
    : `kgate generated an admin token and keeps it in ${file} (readable by you only):

  export KGATE_ADMIN_TOKEN="$(cat ${file})"`;
  console.log(`${shown}

Next: kgate vcluster create vc-alice
      kgate token create vc-alice --user alice --properties vc-alice.properties`);
}

/**
 * Learns the ids of kgate's own topics before the first client connects (bounded wait), then
 * every minute, so a client cannot reach one by a topic id it learnt elsewhere. Returns a stop.
 */
async function refreshInternalTopicIds(topics: InternalTopics, lookup: Parameters<InternalTopics["refresh"]>[0]): Promise<() => void> {
  const refresh = () => topics.refresh(lookup).catch((e) => log.warn("internal topic ids not refreshed: {reason}", { reason: (e as Error).message }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([refresh(), new Promise((r) => (timer = setTimeout(r, INTERNAL_TOPICS_FIRST_LOOKUP_MS)))]);
  clearTimeout(timer);
  const interval = setInterval(refresh, INTERNAL_TOPICS_REFRESH_MS);
  return () => clearInterval(interval);
}
