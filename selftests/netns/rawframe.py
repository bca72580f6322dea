#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rawframe: sends one hand-made Ethernet frame out of an interface, for the
netns tests of what the lwAFTR must refuse (selftests/netns/airtight.sh).
Everything is written here byte by byte, checksums included, so that the
frame is what an attacker sends, not what a socket would make of it.

  rawframe.py IFACE DST_MAC pcp-map SRC6 DST6 [--ext dstopts|none]
      IPv6 from SRC6 to DST6 (a spoofed B4 to the BR), optionally behind a
      destination options header, carrying IPv4/UDP 192.0.0.2:5350 ->
      192.0.0.1:5351 with a PCP MAP request for a port set (RFC 6887 §11,
      RFC 7753 §4: protocol 0, internal port 1, PORT_SET size 0xffff)
  rawframe.py IFACE DST_MAC udp4 SRC4 DST4 DPORT TEXT
      IPv4/UDP from SRC4:40000 to DST4:DPORT carrying TEXT

Exit status 0 when the frame was sent."""
import argparse
import ipaddress
import os
import socket
import struct
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lanpcp  # noqa: E402

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_udp(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    s4 = ipaddress.IPv4Address(src).packed
    d4 = ipaddress.IPv4Address(dst).packed
    ulen = 8 + len(payload)
    pseudo = s4 + d4 + struct.pack("!BBH", 0, 17, ulen)
    ck = csum(pseudo + struct.pack("!HHHH", sport, dport, ulen, 0) + payload) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, ulen, ck) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0x1234, 0x4000, 64, 17, 0, s4, d4)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + udp


def pcp_map_request() -> bytes:
    """The lwB4's first MAP, made by the netns tests' PCP client (lanpcp.py)."""
    a = types.SimpleNamespace(cmd="map", lifetime=7200, protocol_number=0, proto=None,
                              internal_port=1, suggest=None, peer=None, prefer_failure=False,
                              filter=None, port_set=0xFFFF)
    return lanpcp.build(a, "192.0.0.2", os.urandom(12))


def ipv6(src: str, dst: str, nexthdr: int, payload: bytes) -> bytes:
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nexthdr, 64,
                       ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed) + payload


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("dst_mac")
    sub = ap.add_subparsers(dest="kind", required=True)
    p = sub.add_parser("pcp-map")
    p.add_argument("src6")
    p.add_argument("dst6")
    p.add_argument("--ext", choices=["dstopts", "none"], default="dstopts")
    u = sub.add_parser("udp4")
    u.add_argument("src4")
    u.add_argument("dst4")
    u.add_argument("dport", type=int)
    u.add_argument("text")
    a = ap.parse_args()

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    src_mac = s.getsockname()[4]
    dst_mac = bytes.fromhex(a.dst_mac.replace(":", ""))
    if a.kind == "pcp-map":
        inner = ipv4_udp("192.0.0.2", "192.0.0.1", 5350, 5351, pcp_map_request())
        if a.ext == "dstopts":
            # next header 4 (IPv4), length 0 (8 octets), PadN of 4 octets
            body = struct.pack("!BBBB4x", 4, 0, 1, 4) + inner
            packet, ethertype = ipv6(a.src6, a.dst6, 60, body), ETH_P_IPV6
        else:
            packet, ethertype = ipv6(a.src6, a.dst6, 4, inner), ETH_P_IPV6
    else:
        packet = ipv4_udp(a.src4, a.dst4, 40000, a.dport, a.text.encode())
        ethertype = ETH_P_IP
    frame = dst_mac + src_mac + struct.pack("!H", ethertype) + packet
    sent = s.send(frame)
    print("sent %d bytes on %s: %s" % (sent, a.iface, a.kind))
    return 0 if sent == len(frame) else 1


if __name__ == "__main__":
    sys.exit(main())
