#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""lanpcp: a PCP client of a LAN host, for the network-namespace tests and
the demo. It talks to the lwB4's LAN PCP server (pcpd --role b4,
lan-address:5351) the way a host's PCP library would. Messages are packed and
parsed here, field by field after RFC 6887 §7, §11, §12, §13 and RFC 7753,
independently of pcpd's codec, so that a bug there cannot hide itself.

  lanpcp.py map  --server A --proto tcp|udp --internal-port P [--lifetime S]
                 [--suggest IP:PORT] [--prefer-failure] [--filter IP]
                 [--nonce HEX] [--port-set N] [--protocol-number N]
  lanpcp.py peer --server A --proto tcp|udp --internal-port P --peer IP:PORT ...
  lanpcp.py announce --server A              (an ANNOUNCE request)
  lanpcp.py listen [--timeout S]             (waits for an unsolicited
                                              ANNOUNCE to 224.0.0.1:5350)
  --libpcp   map and peer as libpcp does: from a dual-stack IPv6 socket bound
             to port 5350 and connected to the server, which therefore sees
             unicast ANNOUNCEs to port 5350 only, never the multicast one
  --wait-announce S   after the answer, wait S seconds on the same socket
             for an unsolicited ANNOUNCE (a second line: announce ...)

Prints one line of key=value, e.g.
  result=SUCCESS code=0 opcode=MAP lifetime=600 epoch=12 ext=192.0.2.1:4100
    nonce=0a1b... tries=1
  result=NONE tries=4          (no answer; exit status 1)
The message is retransmitted (IRT 0.5 s here, doubling) with the same nonce."""
import argparse, ipaddress, os, select, socket, struct, sys, time

RESULTS = ["SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED", "MALFORMED_REQUEST",
           "UNSUPP_OPCODE", "UNSUPP_OPTION", "MALFORMED_OPTION", "NETWORK_FAILURE",
           "NO_RESOURCES", "UNSUPP_PROTOCOL", "USER_EX_QUOTA", "CANNOT_PROVIDE_EXTERNAL",
           "ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS"]
OPCODES = {0: "ANNOUNCE", 1: "MAP", 2: "PEER"}


def v4mapped(ip):
    return b"\0" * 10 + b"\xff\xff" + socket.inet_aton(ip)


def from_v4mapped(b):
    if b[:12] == b"\0" * 10 + b"\xff\xff":
        return socket.inet_ntoa(b[12:16])
    return str(ipaddress.IPv6Address(b))


def option(code, payload):
    pad = (-len(payload)) % 4
    return struct.pack("!BBH", code, 0, len(payload)) + payload + b"\0" * pad


def build(a, client_ip, nonce):
    opcode = {"announce": 0, "map": 1, "peer": 2}[a.cmd]
    # §7.1 header: version 2, R=0 + opcode, reserved, lifetime, client IP
    msg = struct.pack("!BBHI", 2, opcode, 0, a.lifetime) + v4mapped(client_ip)
    if opcode == 0:
        return msg
    proto = a.protocol_number if a.protocol_number is not None else \
        {"tcp": 6, "udp": 17}[a.proto]
    sug_ip, sug_port = "0.0.0.0", 0
    if a.suggest:
        sug_ip, sug_port = a.suggest.rsplit(":", 1)
    # §11.1 MAP body: nonce, protocol, 3 reserved, internal port, external port, external IP
    msg += nonce + struct.pack("!B3xHH", proto, a.internal_port, int(sug_port)) + v4mapped(sug_ip)
    if opcode == 2:  # §12.1 PEER: + remote peer port, 2 reserved, remote peer IP
        pip, pport = a.peer.rsplit(":", 1)
        msg += struct.pack("!H2x", int(pport)) + v4mapped(pip)
    if a.prefer_failure:
        msg += option(2, b"")
    if a.filter:  # §13.3: reserved, prefix length, peer port, peer IP
        msg += option(3, struct.pack("!BBH", 0, 128, 0) + v4mapped(a.filter))
    if a.port_set:  # RFC 7753 §4: size, first internal port, P
        msg += option(130, struct.pack("!HHB", a.port_set, a.internal_port, 0))
    return msg


def parse(b):
    if len(b) < 24 or len(b) % 4 or b[0] != 2 or not b[1] & 0x80:
        return None
    r = {"opcode": OPCODES.get(b[1] & 0x7F, str(b[1] & 0x7F)), "code": b[3]}
    r["result"] = RESULTS[b[3]] if b[3] < len(RESULTS) else str(b[3])
    r["lifetime"], r["epoch"] = struct.unpack("!II", b[4:12])
    if r["opcode"] in ("MAP", "PEER") and len(b) >= 60:
        r["nonce"] = b[24:36].hex()
        r["proto"] = b[36]
        r["internal"], eport = struct.unpack("!HH", b[40:44])
        r["ext"] = "%s:%d" % (from_v4mapped(b[44:60]), eport)
        off = 60 if r["opcode"] == "MAP" else 80
        opts = []
        while off + 4 <= len(b):
            code, _, ln = struct.unpack("!BBH", b[off:off + 4])
            opts.append(str(code))
            off += 4 + ln + ((-ln) % 4)
        r["options"] = ",".join(opts) or "-"
    return r


def open_client(a):
    if not a.libpcp:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect((a.server, 5351))
        return s, s.getsockname()[0]
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", 5350))
    s.connect(("::ffff:" + a.server, 5351))
    return s, s.getsockname()[0].replace("::ffff:", "")


def next_announce(s, end):
    """Prints the next ANNOUNCE on s before time end; False when none came."""
    while time.time() < end:
        rd, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
        if not rd:
            break
        data, peer = s.recvfrom(2048)
        r = parse(data)
        if r and r["opcode"] == "ANNOUNCE":
            print("announce epoch=%d from=%s:%d result=%s" % (r["epoch"], peer[0].replace("::ffff:", ""),
                                                            peer[1], r["result"]))
            sys.stdout.flush()
            return True
    return False


def wait_announce(s, seconds):
    if next_announce(s, time.time() + seconds):
        return 0
    print("announce none")
    return 1


def transact(a):
    s, own_ip = open_client(a)
    client_ip = a.client_ip or own_ip
    nonce = bytes.fromhex(a.nonce) if a.nonce else os.urandom(12)
    msg = build(a, client_ip, nonce)
    rt, tries, end = 0.5, 0, time.time() + a.timeout
    while time.time() < end:
        s.send(msg)
        tries += 1
        deadline = min(end, time.time() + rt)
        while time.time() < deadline:
            rd, _, _ = select.select([s], [], [], max(0.0, deadline - time.time()))
            if not rd:
                break
            try:
                r = parse(s.recv(2048))
            except ConnectionRefusedError:
                r = None
            if not r:
                continue
            if "nonce" in r and r["nonce"] != nonce.hex() and r["code"] == 0:
                continue  # §8.3: not ours
            r["tries"] = tries
            r.setdefault("nonce", nonce.hex())
            print(" ".join("%s=%s" % kv for kv in r.items()))
            sys.stdout.flush()
            return wait_announce(s, a.wait_announce) if a.wait_announce else 0
        rt *= 2
    print("result=NONE tries=%d nonce=%s" % (tries, nonce.hex()))
    return 1


def listen(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("224.0.0.1", 5350))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton("224.0.0.1") + socket.inet_aton(a.local or "0.0.0.0"))
    end = time.time() + a.timeout
    while next_announce(s, end):
        if a.count and a.count <= 1:
            return 0
        a.count = a.count - 1 if a.count else 0
    return 0 if a.count == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("cmd", choices=["map", "peer", "announce", "listen"])
    p.add_argument("--server", default="192.168.1.1")
    p.add_argument("--proto", choices=["tcp", "udp"], default="tcp")
    p.add_argument("--protocol-number", type=int)
    p.add_argument("--internal-port", type=int, default=0)
    p.add_argument("--lifetime", type=int, default=600)
    p.add_argument("--suggest")
    p.add_argument("--peer")
    p.add_argument("--prefer-failure", action="store_true")
    p.add_argument("--filter")
    p.add_argument("--port-set", type=int)
    p.add_argument("--nonce")
    p.add_argument("--client-ip")
    p.add_argument("--timeout", type=float, default=4.0)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--local")
    p.add_argument("--libpcp", action="store_true")
    p.add_argument("--wait-announce", type=float, default=0)
    a = p.parse_args()
    if a.cmd == "listen":
        return listen(a)
    if a.cmd == "peer" and not a.peer:
        p.error("peer needs --peer IP:PORT")
    return transact(a)


if __name__ == "__main__":
    sys.exit(main())
