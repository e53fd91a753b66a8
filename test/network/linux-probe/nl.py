import socket, struct, errno, select, subprocess, time, os
def E(f):
    try:
        r = f(); return r if r is not None else 0
    except OSError as e: return errno.errorcode[e.errno]
SOL_NETLINK=270
r = {}
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
r['add0'] = E(lambda: s.setsockopt(SOL_NETLINK, 1, 0))
r['add_len2'] = E(lambda: s.setsockopt(SOL_NETLINK, 1, b'\x01\x00'))
for g in (1, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 50, 64, 65):
    r['add%d'%g] = E(lambda: s.setsockopt(SOL_NETLINK, 1, g))
r['drop_notjoined'] = E(lambda: s.setsockopt(SOL_NETLINK, 2, 7))
r['drop1'] = E(lambda: s.setsockopt(SOL_NETLINK, 2, 1))
r['drop1again'] = E(lambda: s.setsockopt(SOL_NETLINK, 2, 1))
r['list4'] = E(lambda: s.getsockopt(SOL_NETLINK, 9, 4).hex())
r['list16'] = E(lambda: s.getsockopt(SOL_NETLINK, 9, 16).hex())
r['list2'] = E(lambda: s.getsockopt(SOL_NETLINK, 9, 2).hex())
r['getname_unbound'] = s.getsockname()
r['other_level'] = E(lambda: s.setsockopt(0, 1, 1))
r['get_other_level'] = E(lambda: s.getsockopt(0, 1))
t = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
r['bind_groups'] = E(lambda: t.bind((0, 0x111)))
r['name'] = t.getsockname()
r['list_after_bind'] = t.getsockopt(SOL_NETLINK, 9, 8).hex()
r['rebind_groups'] = E(lambda: t.bind((0, 0x1)))
r['name2'] = t.getsockname()
r['add5'] = E(lambda: t.setsockopt(SOL_NETLINK, 1, 5))
r['name3'] = t.getsockname()
r['add40'] = E(lambda: t.setsockopt(SOL_NETLINK, 1, 40))
r['list_after_add40'] = t.getsockopt(SOL_NETLINK, 9, 8).hex()
r['name4'] = t.getsockname()
r['rebind0'] = E(lambda: t.bind((0, 0)))
r['list_after_rebind0'] = t.getsockopt(SOL_NETLINK, 9, 8).hex()
u = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
r['connect_groups'] = E(lambda: u.connect((0, 1)))
r['u_peer'] = E(lambda: u.getpeername())
for k,v in r.items(): print(k, v)
