# Sourced by kernel probes that need a router: the current namespace is the client (c0, 10.0.1.2 and 2001:db8:1::2,
# default routes via the router), "rt" forwards (10.0.1.1 / 10.0.2.1, 2001:db8:1::1 / 2001:db8:2::1), "sv" is the
# server (s0, 10.0.2.2 and 2001:db8:2::2). IPv6 addresses skip duplicate address detection (nodad). The router-server link gets
# MTU $1 (default 1500). Run inside `unshare -n -m` with a private /run (see the probes); `three_ns_down` removes it.
three_ns_up() {
  mtu=${1:-1500}
  ip link set lo up
  ip netns add rt; ip netns add sv
  ip link add c0 type veth peer name r0; ip link set r0 netns rt
  ip -n rt link add r1 type veth peer name s0; ip -n rt link set s0 netns sv
  ip addr add 10.0.1.2/24 dev c0; ip link set c0 up; ip route add default via 10.0.1.1
  ip -n rt addr add 10.0.1.1/24 dev r0; ip -n rt addr add 10.0.2.1/24 dev r1
  ip -n rt link set r0 up; ip -n rt link set r1 mtu "$mtu" up; ip -n rt link set lo up
  ip netns exec rt sysctl -qw net.ipv4.ip_forward=1
  ip -n sv addr add 10.0.2.2/24 dev s0; ip -n sv link set s0 mtu "$mtu" up; ip -n sv link set lo up
  ip -n sv route add default via 10.0.2.1
  ip -6 addr add 2001:db8:1::2/64 dev c0 nodad; ip -6 route add default via 2001:db8:1::1
  ip -n rt -6 addr add 2001:db8:1::1/64 dev r0 nodad; ip -n rt -6 addr add 2001:db8:2::1/64 dev r1 nodad
  ip netns exec rt sysctl -qw net.ipv6.conf.all.forwarding=1
  ip -n sv -6 addr add 2001:db8:2::2/64 dev s0 nodad; ip -n sv -6 route add default via 2001:db8:2::1
}
three_ns_down() {
  ip netns del rt; ip netns del sv
}
