"""Every REST endpoint against word_count on a job manager with two task managers of one slot
each (rest_local_test.run_checks, which checks the values against the lines the test fed and
the words it counted, the status codes and error bodies, a savepoint through the API), then a
cancel through the API ends the job manager and both task managers."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "observability"))
from rest_lib import LineServer, Process, check, cleaned_up, get_json, http, start_job_manager, \
    text_lines, wait_until, word_count  # noqa: E402
from rest_local_test import N, jid_of, run_checks  # noqa: E402


def main(binary):
    work = tempfile.mkdtemp(prefix="rest_cluster_endpoints_")
    lines = text_lines(N)
    server = LineServer(lines)
    job_args = ["--socket", f"127.0.0.1:{server.port}", "--parallelism", "2",
                "--checkpoint-interval-ms", "200", "--checkpoint-dir", os.path.join(work, "ckpt"),
                "--savepoint-dir", os.path.join(work, "sp")]
    procs = []
    with cleaned_up(procs, server, work):
        jm, port, base = start_job_manager(binary, 2, job_args, work, procs)
        for name in ("tm1", "tm2"):
            procs.append(Process([binary, "--taskmanager", "--jobmanager", f"127.0.0.1:{port}",
                                  "--slots", "1"] + job_args, os.path.join(work, name + ".err")))
        tms = wait_until(
            lambda: (lambda t: t if len(t) == 2 and all(x["ready"] for x in t) else None)(
                get_json(f"{base}/taskmanagers")["taskmanagers"]),
            "two ready task managers", procs=procs)
        pids = sorted(str(p.proc.pid) for p in procs[1:])
        check(sorted(t["id"].rsplit(":", 1)[1] for t in tms) == pids,
              f"the task managers are named host:pid: {tms}")
        run_checks(base, jm, word_count(lines), work, {t["id"]: 1 for t in tms})
        status, _, body = http("PATCH", f"{base}/jobs/{jid_of(base)}?mode=cancel")
        check(status == 202, f"cancel: status {status}: {body}")
        check(jm.wait() != 0, "the cancelled job manager exits non-zero")
        for tm in procs[1:]:
            tm.wait()
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
