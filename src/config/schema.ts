// The whole configuration as one zod schema: the YAML file is validated against it and every
// default lives here, so `configSchema.parse({})` is the embedded default config.
import { z } from "zod";
import { defaultPrefix, findPrefixConflict, isReservedVclusterName, PASSTHROUGH, prefixSyntaxProblem, VCLUSTER_NAME_PATTERN } from "../model/prefix-rules.ts";
import { topicPolicySchema } from "../model/topic-policy-schema.ts";
import { quotasSchema } from "../model/quota-schema.ts";
import { PRINCIPAL_PATTERN } from "../model/acl-model.ts";

// Values that came from `${VAR}` arrive as strings; accept digits where a number is expected so
// `port: ${PORT}` works, and leave anything else for the number check to report.
const numeric = (schema: z.ZodNumber) => z.preprocess((v) => (typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v), schema);
const booleanLike = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
const port = numeric(z.number().int().min(1).max(65535));

/** An unset `${VAR}` becomes "" — for an optional secret that means "not configured". */
const optionalSecret = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const requiredSecret = z.string().min(1, "must not be empty (is its environment variable set?)");
// Guessable short secrets defeat the rest: the admin token opens the whole API, a static
// user's password a whole vcluster.
const MIN_SECRET_LENGTH = 16;
const atLeast = (n: number) => `must be at least ${n} characters`;

const vclusterName = z.string().regex(VCLUSTER_NAME_PATTERN, "must be a DNS label (lowercase letters, digits, '-')");
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/, 'must be "host:port"');

const listener = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: port.default(6969),
  /** Host clients are told to connect to; defaults to `host` (or 127.0.0.1 for a wildcard). */
  advertisedHost: z.string().min(1).optional(),
  /** First per-broker port; defaults to `port + 1` (the data plane assigns in node id order). */
  brokerPortBase: port.optional(),
  /** Explicit per-broker ports by node id, overriding `brokerPortBase`. */
  brokerPorts: z.record(z.string().regex(/^\d+$/, "must be a broker node id"), port).optional(),
  /**
   * Which kgate node clients are told to reach a backing broker at: `self` (this node, for every
   * broker), or `cluster` (the live kgate nodes sharing this backing cluster split the brokers
   * between them, see `cluster`). Unset means `self`.
   */
  advertise: z.enum(["self", "cluster"]).optional(),
  /** View for clients that do not authenticate: "passthrough" or a vcluster name. */
  anonymous: vclusterName.optional(),
  /** Every client of this listener is in this vcluster, authenticated or not. */
  pinnedVcluster: vclusterName.optional(),
  /** TLS on the bootstrap and broker ports (PEM file paths; re-read when they change). */
  tls: z
    .strictObject({
      cert: z.string().min(1),
      key: z.string().min(1),
      /** CA for client certificates (mTLS). */
      ca: z.string().min(1).optional(),
      /** The CA clients should trust (PEM path), put into the client properties the admin API hands out. */
      truststore: z.string().min(1).optional(),
      /** Kafka's ssl.client.auth: ask for a client certificate, and whether one is required. */
      clientAuth: z.enum(["none", "requested", "required"]).default("none"),
    })
    .superRefine((t, ctx) => {
      if (t.clientAuth !== "none" && !t.ca) {
        ctx.addIssue({ code: "custom", path: ["ca"], message: `clientAuth ${t.clientAuth} needs a ca to verify client certificates` });
      }
    })
    .optional(),
  /**
   * SNI routing: the bootstrap port (TLS) serves every broker; clients are told broker hosts
   * `b<nodeId>.<advertisedDomain>` and kgate routes each connection by its SNI name.
   */
  sni: z
    .strictObject({
      /** Clients must resolve `*.<advertisedDomain>` to kgate; the certificate must cover it. */
      advertisedDomain: z
        .string()
        .regex(
          /^(?=.{1,240}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
          "must be a lowercase DNS name, e.g. kgate.example.com",
        ),
      /** Hosts name the vcluster too (`b0.vc-alice.<domain>`), and the name pins the connection to it. */
      vclusterInHost: booleanLike.default(false),
    })
    .optional(),
}).superRefine((l, ctx) => {
  if (l.sni && !l.tls) ctx.addIssue({ code: "custom", path: ["sni"], message: "needs listener.tls (SNI is a TLS handshake field)" });
  for (const key of ["brokerPortBase", "brokerPorts"] as const) {
    if (l.sni && l[key] !== undefined) {
      ctx.addIssue({ code: "custom", path: [key], message: "not used with listener.sni (every broker is served on listener.port)" });
    }
  }
  if (l.sni && l.advertise === "cluster") {
    ctx.addIssue({ code: "custom", path: ["advertise"], message: "cluster is not supported with listener.sni (brokers are host names there, not nodes)" });
  }
  if (l.sni?.vclusterInHost && l.pinnedVcluster) {
    ctx.addIssue({
      code: "custom",
      path: ["sni", "vclusterInHost"],
      message: "cannot be combined with listener.pinnedVcluster (the host name picks the vcluster)",
    });
  }
});

/** TLS to the backing brokers (PEM file paths); `true` = TLS with the system's root CAs. */
const backingTls = z.preprocess(
  (v) => (v === true || v === "true" ? {} : v === false || v === "false" ? undefined : v),
  z
    .strictObject({
      /** CA that signed the brokers' certificates; unset: the system roots. */
      ca: z.string().min(1).optional(),
      /** Client certificate and key for mTLS to the backing cluster. */
      cert: z.string().min(1).optional(),
      key: z.string().min(1).optional(),
      verifyHostname: booleanLike.default(true),
    })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: "cert and key go together" })
    .optional(),
);

const backing = z.strictObject({
  // A comma-separated string is accepted too, so the whole list can come from one env var.
  bootstrapServers: z
    .preprocess(
      (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v),
      z.array(hostPort).min(1, "needs at least one broker"),
    )
    .default(["127.0.0.1:9092"]),
  sasl: z
    .strictObject({
      mechanism: z.enum(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]),
      username: z.string().min(1),
      password: requiredSecret,
    })
    .optional(),
  tls: backingTls,
  /** Derives the passwords of vclusters' backing principals (backing ACLs); unset: `auth.tokenSecret`. */
  credentialSecret: optionalSecret.refine((v) => v === undefined || v.length >= 32, { message: "must be at least 32 characters" }),
});

const admin = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: port.default(8888),
  /** Bearer token for the admin API; when absent one is generated once into `<store dir>/admin-token` (0600). */
  token: optionalSecret.refine((v) => v === undefined || v.length >= MIN_SECRET_LENGTH, { message: atLeast(MIN_SECRET_LENGTH) }),
  /**
   * Serve /docs and /openapi.json without the token: a browser cannot send a bearer header
   * when opening a page. They describe the API only, no state. Off by default (README, Configuration).
   */
  publicDocs: booleanLike.default(false),
  /** Serve the admin API over HTTPS (PEM file paths). */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
});

const store = z.strictObject({
  type: z.enum(["file", "kafka"]).default("file"),
  /** The file store; its directory also holds kgate's key files (admin-token, token-secret), for either type. */
  path: z.string().min(1).default("./kgate-data/store.json"),
  topic: z.string().min(1).default("_kgate_state"),
});

const staticUser = z.strictObject({
  username: z.string().min(1),
  password: requiredSecret.min(MIN_SECRET_LENGTH, atLeast(MIN_SECRET_LENGTH)),
  vcluster: vclusterName,
});

const certificateUser = z
  .strictObject({
    /** The certificate's subject DN, e.g. "CN=alice,O=tenant" (attribute order does not matter). */
    subject: z.string().min(1).optional(),
    /** One of its subject alternative names, e.g. "DNS:alice.tenant" or "URI:spiffe://prod/alice". */
    san: z.string().regex(/^(DNS|URI|email|IP Address):\S+$/, 'must look like "DNS:name", "URI:…", "email:…"').optional(),
    username: z.string().min(1),
    vcluster: vclusterName,
  })
  .refine((c) => (c.subject === undefined) !== (c.san === undefined), { message: "give exactly one of subject and san" });

const oauthIssuer = z
  .strictObject({
    /** The `iss` its tokens carry, compared exactly. */
    issuer: z.string().min(1).refine((i) => i !== "kgate", `"kgate" is the issuer of kgate's own access tokens`),
    /** The `aud` kgate requires in its tokens. */
    audience: z.string().min(1),
    /** Where its signing keys are: a JWKS file (re-read every refreshSeconds) or URL (cached as long). */
    jwks: z
      .strictObject({ file: z.string().min(1).optional(), url: z.url({ protocol: /^https?$/ }).optional() })
      .refine((j) => (j.file === undefined) !== (j.url === undefined), { message: "give exactly one of file and url" }),
    refreshSeconds: numeric(z.number().int().positive()).default(300),
    /** The claim holding the user name. */
    usernameClaim: z.string().min(1).default("sub"),
    /** The claim naming the user's vcluster, or … */
    vclusterClaim: z.string().min(1).optional(),
    /** … the one vcluster every user of this issuer belongs to (never the passthrough view). */
    vcluster: vclusterName.refine((n) => !isReservedVclusterName(n), `"${PASSTHROUGH}" is reserved`).optional(),
  })
  .refine((i) => (i.vclusterClaim === undefined) !== (i.vcluster === undefined), { message: "give exactly one of vclusterClaim and vcluster" });

const oauth = z.strictObject({
  /** Lifetime of access tokens from kgate's token endpoint (POST /oauth/token on the admin listener). */
  tokenLifetimeSeconds: numeric(z.number().int().min(60).max(86_400)).default(3600),
  /** External OAuth issuers whose tokens log in with SASL/OAUTHBEARER. */
  issuers: z.array(oauthIssuer).default([]),
});

const auth = z.strictObject({
  /**
   * HS256 key for client tokens; when absent one is generated once into `<store dir>/token-secret`
   * (0600). Required with `store.type: kafka`, where every node must verify every node's tokens.
   */
  tokenSecret: optionalSecret.refine((v) => v === undefined || v.length >= 32, {
    message: "must be at least 32 characters (HS256 needs a 256-bit key)",
  }),
  /** Lifetime of tokens issued without `lifetimeSeconds`. */
  defaultTokenLifetimeSeconds: numeric(z.number().int().positive()).default(30 * 24 * 3600),
  /** Static SASL/PLAIN users bound to a vcluster, besides tokens from the admin API. */
  users: z.array(staticUser).default([]),
  /** PBKDF2 iterations of SCRAM credentials created through the admin API (Kafka's default is 4096). */
  scramIterations: numeric(z.number().int().min(4096).max(1_000_000)).default(4096),
  /** Client certificates (mTLS on `listener.tls`) that identify a user of a vcluster without SASL. */
  certificates: z.array(certificateUser).default([]),
  /** SASL/OAUTHBEARER: kgate's own token endpoint and external issuers. */
  oauth: oauth.prefault({}),
});

const positiveInt = numeric(z.number().int().positive());
const nonNegativeInt = numeric(z.number().int().min(0));

// Defaults follow the Kafka broker's own where one exists (named in each comment).
const limits = z.strictObject({
  /** A larger Kafka frame closes its connection (bounded memory; socket.request.max.bytes). */
  maxFrameBytes: numeric(z.number().int().min(1024)).default(104_857_600),
  /** Before authentication a larger frame closes the connection (sasl.server.max.receive.size). */
  maxPreAuthFrameBytes: numeric(z.number().int().min(1024)).default(524_288),
  /** Open connections and connections being set up, all clients together. */
  maxConnections: positiveInt.default(10_000),
  /** The same, per client IP address (max.connections.per.ip). */
  maxConnectionsPerAddress: positiveInt.default(2_000),
  /** Time from connect to a completed login where one is required. */
  authenticationTimeoutMs: positiveInt.default(10_000),
  /** A connection with nothing in flight and no traffic closes after this (connections.max.idle.ms). */
  connectionsMaxIdleMs: positiveInt.default(600_000),
  /** A failed login is answered after this delay (connection.failed.authentication.delay.ms). */
  failedAuthenticationDelayMs: nonNegativeInt.default(100),
  /** Unread response bytes per connection before kgate stops reading that client (channel muting). */
  maxQueuedResponseBytes: positiveInt.default(4_194_304),
  /** Requests awaiting a response per connection before kgate stops reading that client. */
  maxInFlightRequests: positiveInt.default(1_000),
  /** Opening a backing connection (TCP connect and kgate's SASL login) and kgate's own lookups. */
  backingTimeoutMs: positiveInt.default(10_000),
  /** Admin API request bodies beyond this are refused with 413. */
  adminBodyBytes: numeric(z.number().int().positive()).default(65_536),
  /** Samples of a quota's rate (quota.window.num). */
  quotaWindowNum: numeric(z.number().int().min(2).max(1000)).default(11),
  /** Length of one sample (quota.window.size.seconds). */
  quotaWindowSizeSeconds: positiveInt.default(1),
});

const declaredVcluster = z.strictObject({
  name: vclusterName.refine((n) => !isReservedVclusterName(n), `"${PASSTHROUGH}" is reserved`),
  prefix: z.string().optional().superRefine((p, ctx) => {
    const problem = p === undefined ? undefined : prefixSyntaxProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  labels: z.record(z.string(), z.string()).optional(),
  /** Kafka ACLs authorize every request inside the vcluster (see the README's ACL section). */
  aclEnabled: z.boolean().optional(),
  /** Principals (`User:<name>`) that pass every ACL check and may manage the vcluster's ACLs. */
  superUsers: z.array(z.string().regex(PRINCIPAL_PATTERN, "must be User:<name>")).max(100).optional(),
  /** The vcluster's own quotas (applied at start, like labels). */
  quotas: quotasSchema.optional(),
});

/** SIGTERM/SIGINT: how long connections may take to get their owed responses before kgate exits anyway. */
const shutdown = z.strictObject({
  /** Below Kubernetes' default 30 s grace period, so kgate exits on its own before a SIGKILL. */
  timeoutMs: numeric(z.number().int().min(0).max(600_000)).default(25_000),
});

/** The audit trail: admin API changes, logins, topic changes inside vclusters. Off unless a sink is set. */
const audit = z.strictObject({
  /** JSON lines, one event per line, appended (created with mode 0600). */
  file: z.string().min(1).optional(),
  /** Also as records of this topic on the backing cluster, e.g. `_kgate_audit`. */
  topic: z
    .string()
    .regex(/^_kgate[A-Za-z0-9._-]*$/, 'must start with "_kgate" (the topics kgate keeps unreachable for every client)')
    .optional(),
});

/** Node ids are printable and short: they end up in logs, metrics labels and hash keys. */
const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** Cluster mode (`listener.advertise: cluster`): nodes find each other through a topic. */
const cluster = z.strictObject({
  /** This node's id among the others; default `<listener.advertisedHost>:<listener.port>`. */
  nodeId: z.string().regex(NODE_ID_PATTERN, "must be 1-128 printable characters: letters, digits, . _ : @ -").optional(),
  /** The compacted topic of heartbeats on the backing cluster (hidden from every client). */
  topic: z
    .string()
    .regex(/^_kgate[A-Za-z0-9._-]*$/, 'must start with "_kgate" (the topics kgate keeps unreachable for every client)')
    .default("_kgate_cluster"),
  /** How often this node announces itself. */
  heartbeatMs: numeric(z.number().int().min(100).max(60_000)).default(1000),
  /** A node not heard of for this long is taken for dead, and its brokers move to the others. */
  expiryMs: numeric(z.number().int().min(500).max(600_000)).default(5000),
}).refine((c) => c.expiryMs >= 2 * c.heartbeatMs, { path: ["expiryMs"], message: "must be at least twice heartbeatMs" });

const log = z.strictObject({
  level: z.enum(["trace", "debug", "info", "warning", "error", "fatal"]).default("info"),
  /** `text` (logfmt) for people, `json` (JSON Lines) for log shippers. */
  format: z.enum(["text", "json"]).default("text"),
});

export const configSchema = z
  .strictObject({
    listener: listener.prefault({}),
    backing: backing.prefault({}),
    admin: admin.prefault({}),
    store: store.prefault({}),
    auth: auth.prefault({}),
    limits: limits.prefault({}),
    log: log.prefault({}),
    audit: audit.prefault({}),
    cluster: cluster.prefault({}),
    shutdown: shutdown.prefault({}),
    /**
     * Topic policy of every vcluster (a vcluster's own `topicPolicy`, set through the admin API,
     * overrides it field by field). Empty by default: no limits, no manual replica assignment.
     */
    topicPolicy: topicPolicySchema.prefault({}),
    /**
     * Quotas of every vcluster (a vcluster's own `quotas` override them field by field). Empty by
     * default: no limits.
     */
    quotas: quotasSchema.prefault({}),
    /** Applied at start (created if missing); vclusters can also be added through the API. */
    vclusters: z.array(declaredVcluster).default([]),
  })
  .superRefine((config, ctx) => {
    if (config.store.type === "kafka" && config.auth.tokenSecret === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["auth", "tokenSecret"],
        message: "required with store.type: kafka (every kgate node sharing the state topic must sign tokens with the same key, " +
          "and it must not be kept in the topic); set KGATE_TOKEN_SECRET",
      });
    }
    // Declared vclusters must be acceptable to the store, or the start would fail later with
    // a less precise message.
    const seen: { name: string; prefix: string }[] = [];
    config.vclusters.forEach((v, i) => {
      if (seen.some((s) => s.name === v.name)) {
        ctx.addIssue({ code: "custom", path: ["vclusters", i, "name"], message: `duplicate vcluster "${v.name}"` });
        return;
      }
      const prefix = v.prefix ?? defaultPrefix(v.name);
      const conflict = findPrefixConflict(v.name, prefix, seen);
      if (conflict) ctx.addIssue({ code: "custom", path: ["vclusters", i, "prefix"], message: conflict.reason });
      seen.push({ name: v.name, prefix });
    });
  })
  .transform((config) => ({
    ...config,
    listener: {
      ...config.listener,
      advertisedHost: config.listener.advertisedHost ?? advertisableHost(config.listener.host),
    },
  }));

function advertisableHost(host: string): string {
  return host === "0.0.0.0" || host === "::" || host === "[::]" ? "127.0.0.1" : host;
}

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
