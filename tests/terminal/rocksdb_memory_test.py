"""A task manager's RocksDB memory in the REST API and Prometheus (docs/terminal.md):
word_count with --state-backend rocksdb counts D distinct words fed through a socket; once it
counted them all, GET /taskmanagers/local reports rocksdbMemTablesBytes at least the bytes of
the D keys and their counts (a memtable of 16 MiB holds them all unflushed; the states' write-back
cache is off, --state-cache-entries 0, so every count is written to RocksDB at once) and
rocksdbBlockCacheUsageBytes, which the memtables are charged to, at least as much; /metrics
has the same series. With the heap backend neither is reported."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "observability"))
from rest_lib import (LineServer, Process, check, get_json, http, plan_vertices,  # noqa: E402
                      rest_url, vertex_sum, wait_until)

D = 4000


def word(i):
    """A distinct word of letters only (word_count splits on non-letters)."""
    letters = ""
    i += 26 * 26
    while i:
        letters += chr(ord("a") + i % 26)
        i //= 26
    return "w" + letters


def series_value(text, name):
    values = [float(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l.startswith(name + "{")]
    return values


def run(binary, work, backend):
    words = [word(i) for i in range(D)]
    server = LineServer([" ".join(words[i:i + 10]) for i in range(0, D, 10)])
    job = Process([binary, "--socket", f"127.0.0.1:{server.port}", "--parallelism", "1",
                   "--state-backend", backend, "--state-dir", os.path.join(work, backend),
                   "--state-cache-entries", "0",
                   "--rest-bind", "127.0.0.1:0", "--metrics-interval-ms", "100"],
                  os.path.join(work, backend + ".err"))
    try:
        base = rest_url(job)
        jid = get_json(f"{base}/jobs")["jobs"][0]["id"]
        v = plan_vertices(get_json(f"{base}/jobs/{jid}/plan")["plan"])
        wait_until(lambda: vertex_sum(base, jid, v["sum"], "read-records") == D,
                   f"the counting vertex reporting {D} words", procs=[job])
        # A report taken after the last word was counted.
        counted_at = get_json(f"{base}/jobs/{jid}/vertices/{v['sum']}")["subtasks"][0]["metrics-time"]
        tm = wait_until(lambda: (lambda t: t if t["lastReportTime"] > counted_at else None)(
            get_json(f"{base}/taskmanagers/local")), "a later report", procs=[job])
        _, _, text = http("GET", f"{base}/metrics")
        return tm["metrics"], text, words
    except SystemExit:
        print(f"== {job.log_path}\n{job.stderr_text()[-3000:]}", file=sys.stderr)
        raise
    finally:
        job.close()
        server.close()


def main(binary):
    work = tempfile.mkdtemp(prefix="rocksdb_memory_")
    try:
        metrics, text, words = run(binary, work, "rocksdb")
        least = sum(len(w) for w in words) + 8 * len(words)
        memtables = metrics.get("rocksdbMemTablesBytes")
        cache = metrics.get("rocksdbBlockCacheUsageBytes")
        check(memtables is not None and memtables >= least,
              f"memtables {memtables} bytes, the keys and counts alone are {least}: {metrics}")
        check(cache is not None and cache >= memtables,
              f"the block cache ({cache}) holds the memtables charged to it ({memtables})")
        prom_memtables = series_value(text, "sluice_taskmanager_rocksdb_memtables_bytes")
        prom_cache = series_value(text, "sluice_taskmanager_rocksdb_block_cache_usage_bytes")
        check(len(prom_memtables) == 1 and prom_memtables[0] >= least, f"{prom_memtables}")
        check(len(prom_cache) == 1 and prom_cache[0] >= prom_memtables[0], f"{prom_cache}")
        check(metrics["bufferPoolMaxBytes"] > 0, f"buffer pool: {metrics}")

        metrics, text, _ = run(binary, work, "heap")
        check("rocksdbMemTablesBytes" not in metrics and "rocksdbBlockCacheUsageBytes" not in metrics,
              f"no RocksDB memory without RocksDB: {metrics}")
        check("sluice_taskmanager_rocksdb" not in text, "no RocksDB series without RocksDB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
