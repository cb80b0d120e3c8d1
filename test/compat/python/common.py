# Shared by the Python compat scenarios: settings from COMPAT_* and the STEP line protocol that
# scripts/compat.ts reads ("STEP <name> ok|fail|na <detail>"); stops at the first failed step.
import os
import sys
import traceback

BOOTSTRAP = os.environ["COMPAT_BOOTSTRAP"]
USER = os.environ.get("COMPAT_USER", "")
PASSWORD = os.environ.get("COMPAT_PASSWORD", "")
SUFFIX = os.environ.get("COMPAT_SUFFIX", "")
EXACT_LIST = os.environ.get("COMPAT_EXACT_LIST") == "1"
RECORDS = int(os.environ.get("COMPAT_RECORDS", "1000"))
TOPIC, TX_TOPIC, GROUP = "orders" + SUFFIX, "payments" + SUFFIX, "billing" + SUFFIX


def step(name, body):
    try:
        detail = body()
        print(f"STEP {name} ok {detail or ''}", flush=True)
    except Exception as e:  # noqa: BLE001 - any failure ends the scenario with its reason
        print(f"STEP {name} fail {type(e).__name__}: {str(e)}".replace("\n", " "), flush=True)
        traceback.print_exc(file=sys.stderr)
        sys.exit(1)


def not_available(name, reason):
    print(f"STEP {name} na {reason}", flush=True)


def check_listing(names):
    ours = {TOPIC, TX_TOPIC}
    names = set(names)
    if (names != ours) if EXACT_LIST else not ours <= names:
        raise AssertionError(f"listed {sorted(names)}")
    return ",".join(sorted(names if EXACT_LIST else ours))
