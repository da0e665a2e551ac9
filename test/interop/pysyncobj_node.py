"""A real PySyncObj member for interop tests and benchmarks: a replicated dict and nothing else.

Usage: pysyncobj_node.py SELF PARTNER[,PARTNER...] [--password P] [--journal FILE] [--no-dynamic]
       [--bench-port PORT]

Runs until killed. Prints "ready" once the SyncObj exists. With --bench-port, it also listens on
that loopback port for a load generator: each line "set KEY VALUE" is applied through the dict
(sync=True) and answered "ok" or "err ...". The line "load IN_FLIGHT WARMUP_MS WINDOW_MS TARGET"
runs a load generator inside this process instead, as PySyncObj's own benchmarks drive it (the
asynchronous callback= API, at most IN_FLIGHT writes outstanding, no client hop), and answers one
JSON line with the writes acknowledged in the window after the warm-up. TARGET "counter" calls a
@replicated method whose only state is a counter, the shape of PySyncObj's benchmarks/testobj.py
(its best: log compaction has almost nothing to serialize); "dict" sets keys of the replicated
dict, 10,000 distinct ones, so compaction serializes a real map, as syncobj-node's snapshots do.
"""
import argparse
import json
import socket
import sys
import threading
import time

from pysyncobj import FAIL_REASON, SyncObj, SyncObjConf, replicated
from pysyncobj.batteries import ReplDict


class Member(SyncObj):
    """The member itself, with the one replicated method PySyncObj's own benchmark calls."""

    def __init__(self, self_addr, partners, conf, consumers):
        super().__init__(self_addr, partners, conf=conf, consumers=consumers)
        self.bench_applied = 0

    @replicated
    def bench_write(self, value):
        self.bench_applied += 1


def embedded_load(write, in_flight, warmup_ms, window_ms):
    """Closed loop inside the leader: writes are submitted while fewer than IN_FLIGHT are outstanding.

    No lock or semaphore between this thread and SyncObj's: callbacks run on SyncObj's thread and only
    count (one writer per counter), and this thread tops the window up in bursts, then sleeps 1 ms, so
    the two threads do not hand the GIL back and forth for every write.
    """
    latencies = []
    counts = {'done': 0, 'failed': 0}
    window_start = time.monotonic() + warmup_ms / 1000.0
    window_end = window_start + window_ms / 1000.0

    def done(error, submitted):
        now = time.monotonic()
        counts['done'] += 1
        if submitted >= window_start and now <= window_end:
            if error == FAIL_REASON.SUCCESS:
                latencies.append(now - submitted)
            else:
                counts['failed'] += 1

    n = 0
    while time.monotonic() < window_end:
        room = in_flight - (n - counts['done'])
        if room <= 0:
            time.sleep(0.001)
            continue
        for _ in range(room):
            write(n, lambda _result, error, t=time.monotonic(): done(error, t))
            n += 1
    # Let what is still in flight finish, so the next run starts from an idle member.
    give_up = time.monotonic() + 10
    while counts['done'] < n and time.monotonic() < give_up:
        time.sleep(0.01)
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, max(0, -(-p * len(latencies) // 100) - 1))] * 1000 if latencies else None

    return {'ok': len(latencies), 'failed': counts['failed'], 'seconds': window_ms / 1000.0, 'p50_ms': pct(50), 'p99_ms': pct(99)}


def serve_bench(port, member, store):
    writers = {
        'counter': lambda n, callback: member.bench_write('0123456789', callback=callback),
        'dict': lambda n, callback: store.set('e%d' % (n % 10000), '0123456789', callback=callback),
    }

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', port))
    server.listen(64)

    def handle(conn):
        f = conn.makefile('rwb', buffering=0)
        for line in f:
            parts = line.decode().split(' ', 2)
            if parts[0] == 'load':
                words = line.decode().split()
                in_flight, warmup_ms, window_ms = (int(x) for x in words[1:4])
                target = words[4] if len(words) > 4 else 'dict'
                if target not in writers:
                    f.write(('err unknown load target %r, expected counter or dict\n' % target).encode())
                    continue
                write = writers[target]
                f.write((json.dumps(embedded_load(write, in_flight, warmup_ms, window_ms)) + '\n').encode())
                continue
            try:
                store.set(parts[1], parts[2].rstrip('\n'), sync=True, timeout=10)
                f.write(b'ok\n')
            except Exception as e:  # report, never crash the member
                f.write(('err %s\n' % type(e).__name__).encode())

    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('self_addr')
    p.add_argument('partners')
    p.add_argument('--password')
    p.add_argument('--journal')
    p.add_argument('--no-dynamic', action='store_true')
    p.add_argument('--bench-port', type=int)
    a = p.parse_args()
    conf = SyncObjConf(
        password=a.password,
        dynamicMembershipChange=not a.no_dynamic,
        journalFile=a.journal,
        fullDumpFile=(a.journal + '.dump') if a.journal else None,
    )
    partners = [x for x in a.partners.split(',') if x]
    store = ReplDict()
    member = Member(a.self_addr, partners, conf, [store])
    if a.bench_port:
        threading.Thread(target=serve_bench, args=(a.bench_port, member, store), daemon=True).start()
    print('ready', flush=True)
    while True:
        time.sleep(3600)


if __name__ == '__main__':
    sys.exit(main())
