#!/bin/sh
# Regenerates udp-pmtu.expected.json from the real kernel: a private network namespace, only lo up, MTU 1500.
set -e
cd "$(dirname "$0")"
unshare -n sh -c 'ip link set lo up && ip link set lo mtu 1500 && python3 udp-pmtu.py' > udp-pmtu.expected.json
