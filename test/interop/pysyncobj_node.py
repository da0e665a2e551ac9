"""A real PySyncObj member for interop tests and benchmarks: a replicated dict and nothing else.

Usage: pysyncobj_node.py SELF PARTNER[,PARTNER...] [--password P] [--journal FILE] [--no-dynamic]
       [--bench-port PORT]

Runs until killed. Prints "ready" once the SyncObj exists. With --bench-port, it also listens on
that loopback port for a load generator: each line "set KEY VALUE" is applied through the dict
(sync=True) and answered "ok" or "err ...".
"""
import argparse
import socket
import sys
import threading
import time

from pysyncobj import SyncObj, SyncObjConf
from pysyncobj.batteries import ReplDict


def serve_bench(port, store):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', port))
    server.listen(64)

    def handle(conn):
        f = conn.makefile('rwb', buffering=0)
        for line in f:
            parts = line.decode().split(' ', 2)
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
    SyncObj(a.self_addr, partners, conf=conf, consumers=[store])
    if a.bench_port:
        threading.Thread(target=serve_bench, args=(a.bench_port, store), daemon=True).start()
    print('ready', flush=True)
    while True:
        time.sleep(3600)


if __name__ == '__main__':
    sys.exit(main())
