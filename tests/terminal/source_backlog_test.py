"""A file source's backlog in the REST API and Prometheus (pendingBytes, docs/terminal.md):
word_count --input FILE prints its counts into a pipe the test does not read, so the job stalls
with part of the file read; once the source's counters stop moving, its pendingBytes is the
file's size minus the bytes of the lines it read (numRecordsIn, counted here from the file),
inputBytes the file's size, and /metrics says the same. Reading the pipe lets the job finish."""

import os
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "observability"))
from rest_lib import check, fail, get_json, http, text_lines, wait_until  # noqa: E402

N = 60000


def main(binary):
    with tempfile.TemporaryDirectory(prefix="backlog_") as work:
        lines = text_lines(N)
        path = os.path.join(work, "input.txt")
        with open(path, "w") as f:
            f.write("".join(line + "\n" for line in lines))
        size = os.path.getsize(path)
        prefix = [0]
        for line in lines:
            prefix.append(prefix[-1] + len(line.encode()) + 1)
        err_path = os.path.join(work, "job.err")
        with open(err_path, "wb") as err:
            job = subprocess.Popen([binary, "--input", path, "--parallelism", "1",
                                    "--rest-bind", "127.0.0.1:0", "--metrics-interval-ms", "100",
                                    "--batch-bytes", "1024", "--credits-per-channel", "1"],
                                   stdout=subprocess.PIPE, stderr=err)
        try:
            def stderr_text():
                with open(err_path) as f:
                    return f.read()
            base = wait_until(lambda: (lambda m: m and m.split()[0])(
                stderr_text().partition("REST API listening on ")[2] or None),
                "the REST API", procs=[job])
            jid = get_json(f"{base}/jobs")["jobs"][0]["id"]

            def source_sample():
                s = get_json(f"{base}/jobs/{jid}/vertices/0")["subtasks"][0]
                return s["metrics-time"], s["metrics"]
            previous = [None]

            def pending_series():
                status, _, text = http("GET", f"{base}/metrics")
                check(status == 200, "GET /metrics")
                return text, [l for l in text.splitlines()
                              if l.startswith("sluice_source_pending_bytes{")]

            def stalled():
                """The source's metrics once two reports in a row and /metrics agree."""
                at, m = source_sample()
                before, previous[0] = previous[0], (at, m)
                if before is None or before[0] == at or m.get("pendingBytes") is None:
                    return None
                if any(before[1].get(k) != m.get(k) for k in ("numRecordsIn", "pendingBytes")):
                    return None
                _, series = pending_series()
                check(len(series) == 1 and 'vertex="0"' in series[0] and 'subtask="0"' in series[0],
                      f"one pending-bytes series, of the source: {series}")
                return m if int(series[0].rsplit(" ", 1)[1]) == m["pendingBytes"] > 0 else None
            m = wait_until(stalled, "the source stalled by the unread pipe", procs=[job])
            read = m["numRecordsIn"]
            check(0 < read < N, f"the source read {read} of {N} lines")
            check(m["pendingBytes"] == size - prefix[read],
                  f"pendingBytes {m['pendingBytes']}, expected {size} - {prefix[read]}")
            check("pendingRecords" not in m, f"a file source knows no pending records: {m}")
            check(m["inputBytes"] == size, f"inputBytes {m['inputBytes']}, the file has {size}")
            check(m["numBytesRead"] == prefix[read],
                  f"numBytesRead {m['numBytesRead']}, the first {read} lines have {prefix[read]}")
            text, _ = pending_series()
            counting = [l for l in text.splitlines() if l.startswith("sluice_source_pending_records")]
            check(counting == [], f"no pending-records series for a file source: {counting}")
            for v in get_json(f"{base}/jobs/{jid}")["vertices"][1:]:
                for s in get_json(f"{base}/jobs/{jid}/vertices/{v['id']}")["subtasks"]:
                    check("pendingBytes" not in s["metrics"] and "inputBytes" not in s["metrics"],
                          f"only sources: {s}")

            drained = threading.Thread(target=job.stdout.read, daemon=True)
            drained.start()
            check(job.wait(timeout=120) == 0, f"the job failed: {stderr_text()[-2000:]}")
        except SystemExit:
            print(f"== job stderr\n{open(err_path).read()[-3000:]}", file=sys.stderr)
            raise
        finally:
            if job.poll() is None:
                job.kill()
                job.wait()
            if job.stdout:
                job.stdout.close()
    print("ok")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: source_backlog_test.py WORD_COUNT")
    main(sys.argv[1])
