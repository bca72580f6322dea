#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""steady: steady traffic for the hitless test (selftests/netns/hitless.sh),
counted at both ends so that a lost packet, a reset session or a changed
external port shows.

  steady.py udp-echo --bind IP:PORT --peers FILE
      echoes every datagram; FILE gets one line per distinct peer
      (addr:port), written when a new one appears
  steady.py udp-client --dst IP:PORT --interval-ms N --stop FILE --out FILE
      one socket (one source port), datagram i carries "seq i"; counts the
      echoes; after FILE appears, waits 1.5 s for the last ones
  steady.py tcp-echo --bind IP:PORT --peers FILE
      echoes lines on every connection; FILE gets one line per accepted
      connection (addr:port)
  steady.py tcp-client --dst IP:PORT --interval-ms N --stop FILE --out FILE
      one connection; line i is "seq i", each echo awaited (2 s) before the
      next; any error ends the session and is recorded

The clients write one JSON object to --out: sent, answered, lost, errors,
the longest gap between two answers (ms) and the local port."""
import argparse, json, os, select, socket, sys, threading, time


def addr(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def note_peer(path, lock, seen, peer):
    key = "%s:%d" % peer[:2]
    with lock:
        if key in seen:
            return
        seen.add(key)
        with open(path, "a") as f:
            f.write(key + "\n")


def udp_echo(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(addr(a.bind))
    seen, lock = set(), threading.Lock()
    while True:
        data, peer = s.recvfrom(2048)
        note_peer(a.peers, lock, seen, peer)
        s.sendto(data, peer)


def tcp_echo(a):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(addr(a.bind))
    srv.listen(16)
    lock = threading.Lock()

    def serve(c, peer):
        with lock, open(a.peers, "a") as f:
            f.write("%s:%d\n" % peer[:2])
        try:
            while True:
                data = c.recv(4096)
                if not data:
                    break
                c.sendall(data)
        except OSError:
            pass
        c.close()

    while True:
        c, peer = srv.accept()
        threading.Thread(target=serve, args=(c, peer), daemon=True).start()


def finish(a, res):
    with open(a.out + ".tmp", "w") as f:
        json.dump(res, f)
    os.rename(a.out + ".tmp", a.out)


def udp_client(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(addr(a.dst))
    s.setblocking(False)
    interval = a.interval_ms / 1000.0
    sent, got = 0, set()
    last_answer = first = time.monotonic()
    max_gap = 0.0
    next_send = first
    stop_at = None
    while True:
        now = time.monotonic()
        if stop_at is None and os.path.exists(a.stop):
            stop_at = now + 1.5
        if stop_at is not None and now >= stop_at:
            break
        if stop_at is None and now >= next_send:
            try:
                s.send(b"seq %d" % sent)
            except OSError:
                pass  # counted as lost: it has no answer
            sent += 1
            next_send += interval
        r, _, _ = select.select([s], [], [], max(0.0, min(next_send - now, 0.05)))
        if r:
            try:
                data = s.recv(2048)
            except OSError:
                continue
            if data.startswith(b"seq "):
                seq = int(data[4:])
                if seq not in got:
                    got.add(seq)
                    t = time.monotonic()
                    max_gap = max(max_gap, t - last_answer)
                    last_answer = t
    finish(a, {"sent": sent, "answered": len(got), "lost": sent - len(got), "errors": 0,
               "max_gap_ms": round(max_gap * 1000), "local_port": s.getsockname()[1]})


def tcp_client(a):
    res = {"sent": 0, "answered": 0, "lost": 0, "errors": 0, "error": None,
           "max_gap_ms": 0, "local_port": None}
    try:
        c = socket.create_connection(addr(a.dst), timeout=5)
    except OSError as e:
        res.update(errors=1, error="connect: %s" % e)
        return finish(a, res)
    c.settimeout(2)
    res["local_port"] = c.getsockname()[1]
    last = time.monotonic()
    buf = b""
    while not os.path.exists(a.stop):
        line = b"seq %d\n" % res["sent"]
        try:
            c.sendall(line)
            res["sent"] += 1
            while b"\n" not in buf:
                data = c.recv(4096)
                if not data:
                    raise OSError("closed by the peer")
                buf += data
        except OSError as e:
            res.update(errors=1, error=str(e))
            break
        got, buf = buf.split(b"\n", 1)
        if got + b"\n" == line:
            res["answered"] += 1
        now = time.monotonic()
        res["max_gap_ms"] = max(res["max_gap_ms"], round((now - last) * 1000))
        last = now
        time.sleep(a.interval_ms / 1000.0)
    res["lost"] = res["sent"] - res["answered"]
    c.close()
    finish(a, res)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["udp-echo", "udp-client", "tcp-echo", "tcp-client"])
    p.add_argument("--bind")
    p.add_argument("--peers")
    p.add_argument("--dst")
    p.add_argument("--interval-ms", type=float, default=5)
    p.add_argument("--stop")
    p.add_argument("--out")
    a = p.parse_args()
    {"udp-echo": udp_echo, "udp-client": udp_client, "tcp-echo": tcp_echo,
     "tcp-client": tcp_client}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
