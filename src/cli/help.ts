// Help texts, one per command; `kgate <command> --help` prints the matching one.

const ADMIN_OPTIONS = `Admin API options:
  --admin-url URL      kgate admin API (default: KGATE_ADMIN_URL, else admin.host:port
                       of the config, else http://127.0.0.1:8888)
  --admin-token TOKEN  admin token (default: KGATE_ADMIN_TOKEN, else admin.token of the
                       config, else the token a local kgate generated into its file store)
  --config FILE        config to take the admin address and token from (or KGATE_CONFIG)
  --json               print the API's JSON response
  -h, --help           show this help`;

export const HELP = {
  main: `kgate - Kafka protocol gateway with virtual clusters

Usage: kgate <command> [options]

Commands:
  serve                        run the gateway (Kafka listener and admin API)
  version                      print the version
  vcluster list|create|delete  manage virtual clusters of a running kgate
  token create|revoke          issue or revoke client tokens of a running kgate
  service-account create|delete  SCRAM service accounts (create again to rotate the password)
  status [--interval S]        vclusters, open connections, bytes and throughput of a running kgate
  doctor [--config FILE]       check the config, backing cluster, store and listeners; a fix for each problem
  completion bash|zsh          print a shell completion script

Run "kgate <command> --help" for the options of a command.`,

  serve: `Usage: kgate serve [--config FILE]

Run the gateway: the Kafka listener and the admin API.

Options:
  --config FILE  YAML configuration (default: KGATE_CONFIG, else embedded defaults:
                 listener 127.0.0.1:6969, backing 127.0.0.1:9092, admin 127.0.0.1:8888)
  -h, --help     show this help`,

  status: `Usage: kgate status [--interval S] [options]

One table of a running kgate: each vcluster (and the passthrough and not yet
authenticated views where they have traffic) with its open connections and the
bytes received from and sent to its clients since kgate started. Read from the
admin API's vcluster list and /metrics.

Options:
  --interval S         sample twice, S seconds apart, and add the throughput per
                       vcluster (IN/S, OUT/S) over that time

${ADMIN_OPTIONS}`,

  doctor: `Usage: kgate doctor [--config FILE] [--json]

Check what kgate serve would run with, and print one row per check (✓ ok,
! warning, ✗ failed, - skipped) with a fix under each problem:
  config     validated as kgate serve validates it
  backing    each bootstrap address reachable, TLS handshake, SASL login, the
             APIs kgate and the broker share, broker settings (authorizer,
             auto.create.topics.enable, message.max.bytes vs limits.maxFrameBytes)
  store      directory writable, store file well-formed, key files owner-only;
             store.type kafka: state topic exists and is compacted
  listeners  ports free (or held by this kgate), certificates readable, matching
             their keys and not expired
Exits 1 when a check failed. Read-only: ports are opened and closed at once.

Options:
  --config FILE  YAML configuration (default: KGATE_CONFIG, else embedded defaults)
  --json         print the checks as JSON
  -h, --help     show this help`,

  completion: `Usage: kgate completion bash|zsh

Print a completion script for the shell:
  bash:  source <(kgate completion bash)     (or save it in /etc/bash_completion.d/kgate)
  zsh:   source <(kgate completion zsh)      (after compinit; or save it as _kgate in $fpath)`,

  version: `Usage: kgate version

Print the kgate version, build commit and runtime.`,

  vcluster: `Usage: kgate vcluster <list|create|delete> [options]

Commands:
  list                          list virtual clusters
  create NAME [--prefix P] [--label KEY=VALUE]... [--properties FILE [--user U]] [--backing-acls]
                                create a virtual cluster (prefix default: NAME.) and,
                                with --properties, a client token for it
  delete NAME                   delete a virtual cluster (backing topics stay)

${ADMIN_OPTIONS}`,

  "vcluster list": `Usage: kgate vcluster list [options]

List the virtual clusters of a running kgate.

${ADMIN_OPTIONS}`,

  "vcluster create": `Usage: kgate vcluster create NAME [--prefix P] [--label KEY=VALUE]... [--properties FILE [--user U]] [--backing-acls] [options]

Create a virtual cluster. NAME is a DNS label (lowercase letters, digits, '-').

Options:
  --prefix P           prefix of its topics, groups and transactional ids on the backing
                       cluster (default: NAME.); fixed once created
  --label KEY=VALUE    attach a label; repeatable
  --properties FILE    also issue a token and write the Kafka client properties to FILE
                       (for --command-config of the Kafka tools); the file holds the token,
                       keep it private
  --user U             the SASL username of that token (default: NAME)
  --backing-acls       defence in depth: a SCRAM principal of its own on the backing cluster
                       (kgate-vc-NAME), with ACLs on its prefix only; kgate connects upstream
                       as it for the vcluster's clients (needs backing.sasl and an authorizer)

${ADMIN_OPTIONS}`,

  "vcluster delete": `Usage: kgate vcluster delete NAME [options]

Delete a virtual cluster and revoke its tokens. Its topics on the backing cluster stay; with
backing ACLs, its principal's ACLs and SCRAM credential on the backing cluster are removed.

${ADMIN_OPTIONS}`,

  token: `Usage: kgate token <create|revoke> [options]

Commands:
  create VCLUSTER --user NAME [--lifetime S] [--properties FILE]
                                issue a client token and its client properties
  revoke VCLUSTER TOKEN_ID      revoke a token

${ADMIN_OPTIONS}`,

  "token create": `Usage: kgate token create VCLUSTER --user NAME [--lifetime S] [--properties FILE] [options]

Issue a token for user NAME of VCLUSTER. Prints the Kafka client properties
(bootstrap.servers, SASL/PLAIN with the token as password), or writes them to FILE.

Options:
  --user NAME          the SASL username the client will present (required)
  --lifetime S         token lifetime in seconds (default: auth.defaultTokenLifetimeSeconds)
  --properties FILE    write the client properties to FILE, for --command-config of the
                       Kafka tools; the file holds the token, keep it private

${ADMIN_OPTIONS}`,

  "token revoke": `Usage: kgate token revoke VCLUSTER TOKEN_ID [options]

Revoke a token by the id printed when it was issued.

${ADMIN_OPTIONS}`,

  "service-account": `Usage: kgate service-account <create|delete> [options]

Commands:
  create VCLUSTER --user NAME [--password P] [--properties FILE]
                                create a SASL/SCRAM service account, or rotate its password
  delete VCLUSTER NAME          delete it (its connections close, its tokens are revoked)

${ADMIN_OPTIONS}`,

  "service-account create": `Usage: kgate service-account create VCLUSTER --user NAME [--password P] [--properties FILE] [options]

Create the SCRAM-SHA-256/512 service account NAME in VCLUSTER, or give an existing one a new
password (open connections stay). kgate keeps only salted SCRAM keys. Without --password a
password is generated and shown once (or written into FILE only).

Options:
  --user NAME          the account's name; it logs in as NAME@VCLUSTER (required)
  --password P         the password (at least 16 characters; default: generated)
  --properties FILE    write Kafka client properties (SCRAM-SHA-512) to FILE instead of
                       printing them; the file holds the password, keep it private

${ADMIN_OPTIONS}`,

  "service-account delete": `Usage: kgate service-account delete VCLUSTER NAME [options]

Delete a service account: its SCRAM credentials go, its tokens are revoked, its open
connections close.

${ADMIN_OPTIONS}`,
} as const;

export type HelpTopic = keyof typeof HELP;
