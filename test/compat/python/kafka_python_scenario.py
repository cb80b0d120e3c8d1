# The compat scenario for kafka-python (Debian's python3-kafka, 2.0.x: no idempotent producer,
# no transactions).
import time

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from common import BOOTSTRAP, GROUP, PASSWORD, RECORDS, TOPIC, TX_TOPIC, USER, check_listing, not_available, step


def conf(**extra):
    c = {"bootstrap_servers": BOOTSTRAP, "client_id": "compat-kafka-python"}
    if USER:
        c.update({"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN", "sasl_plain_username": USER, "sasl_plain_password": PASSWORD})
    c.update(extra)
    return c


admin = KafkaAdminClient(**conf())


def create():
    res = admin.create_topics([NewTopic(TOPIC, 3, 1), NewTopic(TX_TOPIC, 1, 1)], timeout_ms=30000)
    for topic, code, *rest in res.topic_errors:
        if code != 0:
            raise RuntimeError(f"{topic}: error {code} {rest}")
    return f"{TOPIC}, {TX_TOPIC}"


def produce():
    p = KafkaProducer(**conf(acks="all", linger_ms=5))
    futures = [p.send(TOPIC, key=f"k{i}".encode(), value=f"v{i}".encode()) for i in range(RECORDS)]
    for f in futures:
        f.get(60)
    p.close()
    return f"{RECORDS} records, acks=all"


def consume_commit():
    c = KafkaConsumer(TOPIC, **conf(group_id=GROUP, auto_offset_reset="earliest", enable_auto_commit=False))
    values, deadline = [], time.time() + 60
    while len(values) < RECORDS and time.time() < deadline:
        for records in c.poll(500).values():
            values.extend(r.value.decode() for r in records)
    if len(set(values)) != RECORDS:
        raise AssertionError(f"got {len(values)} records, {len(set(values))} distinct")
    c.commit()
    c.close()
    return f"{len(values)} records"


def describe_group():
    described = admin.describe_consumer_groups([GROUP])
    if [d.group for d in described] != [GROUP]:
        raise AssertionError(f"described {[d.group for d in described]}")
    committed = sum(o.offset for o in admin.list_consumer_group_offsets(GROUP).values())
    if committed != RECORDS:
        raise AssertionError(f"committed offsets add up to {committed}")
    return f"state {described[0].state}, offsets add up to {committed}"


step("create-topic", create)
step("produce", produce)
not_available("idempotence", "kafka-python 2.0 has no idempotent producer (plain acks=all instead)")
step("consume-commit", consume_commit)
step("describe-group", describe_group)
not_available("transactions", "kafka-python 2.0 has no transactional producer")
step("list-topics", lambda: check_listing(admin.list_topics()))
