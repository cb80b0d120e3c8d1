# The compat scenario for confluent-kafka-python (librdkafka), Debian's python3-confluent-kafka.
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from common import BOOTSTRAP, GROUP, PASSWORD, RECORDS, SUFFIX, TOPIC, TX_TOPIC, USER, check_listing, step


def conf(**extra):
    c = {"bootstrap.servers": BOOTSTRAP, "client.id": "compat-confluent"}
    if USER:
        c.update({"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.username": USER, "sasl.password": PASSWORD})
    c.update(extra)
    return c


admin = AdminClient(conf())


def create():
    futures = admin.create_topics([NewTopic(TOPIC, 3, 1), NewTopic(TX_TOPIC, 1, 1)], operation_timeout=30)
    for f in futures.values():
        f.result(30)
    return f"{TOPIC}, {TX_TOPIC}"


def produce():
    p = Producer(conf(**{"enable.idempotence": True, "acks": "all", "linger.ms": 5}))
    errors = []
    for i in range(RECORDS):
        p.produce(TOPIC, key=f"k{i}", value=f"v{i}", on_delivery=lambda err, msg: err and errors.append(err))
        p.poll(0)
    if p.flush(60) != 0 or errors:
        raise RuntimeError(f"undelivered: {errors[:3]}")
    return f"{RECORDS} records, idempotent"


def read_to_end(c, topic, at_least, seconds=60):
    values, deadline = [], time.time() + seconds
    c.subscribe([topic])
    while time.time() < deadline:
        m = c.poll(0.5)
        if m is not None:
            if m.error():
                raise KafkaException(m.error())
            values.append(m.value().decode())
        assigned = c.assignment()
        if len(values) < at_least or not assigned:
            continue
        if all(c.position([tp])[0].offset >= c.get_watermark_offsets(tp, cached=False)[1] for tp in assigned):
            return values
    raise RuntimeError(f"read {len(values)} of {at_least} records before the deadline")


def consume_commit():
    c = Consumer(conf(**{"group.id": GROUP, "auto.offset.reset": "earliest", "enable.auto.commit": False}))
    values = read_to_end(c, TOPIC, RECORDS)
    if len(set(values)) != RECORDS:
        raise AssertionError(f"got {len(values)} records, {len(set(values))} distinct")
    c.commit(asynchronous=False)
    c.close()
    return f"{len(values)} records"


def describe_group():
    groups = admin.list_groups(GROUP, timeout=30)
    if [g.id for g in groups] != [GROUP]:
        raise AssertionError(f"described {[g.id for g in groups]}")
    c = Consumer(conf(**{"group.id": GROUP}))
    meta = c.list_topics(TOPIC, timeout=30).topics[TOPIC]
    committed = sum(tp.offset for tp in c.committed([TopicPartition(TOPIC, p) for p in meta.partitions], timeout=30))
    c.close()
    if committed != RECORDS:
        raise AssertionError(f"committed offsets add up to {committed}")
    return f"state {groups[0].state}, offsets add up to {committed}"


def transactions():
    p = Producer(conf(**{"transactional.id": "pay" + SUFFIX}))
    p.init_transactions(30)
    p.begin_transaction()
    p.produce(TX_TOPIC, value="committed")
    p.commit_transaction(30)
    p.begin_transaction()
    p.produce(TX_TOPIC, value="aborted")
    p.flush(30)
    p.abort_transaction(30)
    c = Consumer(conf(**{"group.id": "pay-reader" + SUFFIX, "auto.offset.reset": "earliest", "isolation.level": "read_committed"}))
    values = read_to_end(c, TX_TOPIC, 1)
    c.close()
    if values != ["committed"]:
        raise AssertionError(f"read_committed saw {values}")
    return "read_committed saw only the committed record"


def list_topics():
    return check_listing(admin.list_topics(timeout=30).topics.keys())


step("create-topic", create)
step("produce", produce)
step("consume-commit", consume_commit)
step("describe-group", describe_group)
step("transactions", transactions)
step("list-topics", list_topics)
