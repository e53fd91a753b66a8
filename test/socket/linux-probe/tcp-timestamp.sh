#!/bin/sh
# Regenerates tcp-timestamp.expected.json from the real kernel: a private network namespace with only lo up.
set -e
cd "$(dirname "$0")"
unshare -n sh -c 'ip link set lo up && python3 tcp-timestamp.py' > tcp-timestamp.expected.json
