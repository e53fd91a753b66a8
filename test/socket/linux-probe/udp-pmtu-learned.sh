#!/bin/sh
# Regenerates udp-pmtu-learned.expected.json from the real kernel: client, router and server namespaces joined by
# veth (the router-server link has MTU 1400), inside a private network namespace. Run as root:
#   unshare -n -m sh -c 'mount -t tmpfs none /run; mkdir -p /run/netns; sh udp-pmtu-learned.sh'
cd "$(dirname "$0")"
set -e
ip link set lo up
ip netns add rt; ip netns add sv
ip link add c0 type veth peer name r0; ip link set r0 netns rt
ip -n rt link add r1 type veth peer name s0; ip -n rt link set s0 netns sv
ip addr add 10.0.1.2/24 dev c0; ip link set c0 up; ip route add default via 10.0.1.1
ip -n rt addr add 10.0.1.1/24 dev r0; ip -n rt addr add 10.0.2.1/24 dev r1; ip -n rt link set r0 up; ip -n rt link set r1 mtu 1400 up; ip -n rt link set lo up
ip netns exec rt sysctl -qw net.ipv4.ip_forward=1
ip -n sv addr add 10.0.2.2/24 dev s0; ip -n sv link set s0 mtu 1400 up; ip -n sv link set lo up; ip -n sv route add default via 10.0.2.1
ip netns exec sv python3 -c "
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('0.0.0.0', 9)); u.settimeout(5)
try:
    while True: u.recv(70000)
except Exception: pass" &
sleep 0.3
python3 udp-pmtu-learned.py > udp-pmtu-learned.expected.json
ip netns del rt; ip netns del sv
