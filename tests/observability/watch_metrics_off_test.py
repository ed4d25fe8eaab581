"""`sluice status JOB --watch` against word_count running with metrics off
(--metrics-interval-ms 0) on a job manager with one task manager, fed N lines through a socket
that stays open: nothing is collected, so every refresh says metrics are off instead of showing
zeros — in --json, "metrics" is false and every vertex metric null; on the screen, a line saying
so and "-" in the metric columns — while the job's state, vertices and parallelism are shown as
the REST API reports them. Closing the socket ends the job."""

import json
import os
import subprocess
import sys
import tempfile

from rest_lib import (Process, LineServer, check, cleaned_up, get_json, start_job_manager, text_lines,
                      wait_until)

N = 500
METRICS = ["records_in", "records_out", "records_in_per_s", "records_out_per_s", "busy",
           "backpressured", "watermark_lag_ms"]


def main(binary, cli):
    work = tempfile.mkdtemp(prefix="watch_off_")
    server = LineServer(text_lines(N))
    job_args = ["--socket", f"127.0.0.1:{server.port}", "--parallelism", "2",
                "--metrics-interval-ms", "0"]
    procs = []
    with cleaned_up(procs, server, work):
        jm, port, base = start_job_manager(binary, 1, job_args, work, procs)
        procs.append(Process([binary, "--taskmanager", "--jobmanager", f"127.0.0.1:{port}",
                              "--slots", "2"] + job_args, os.path.join(work, "tm.err")))
        jid = wait_until(lambda: get_json(f"{base}/jobs")["jobs"], "the job", procs=procs)[0]["id"]
        nodes = wait_until(lambda: get_json(f"{base}/jobs/{jid}/plan")["plan"]["nodes"], "the plan",
                           procs=procs)
        parallelism = [n["parallelism"] for n in nodes]

        def deployed():
            return all(s["status"] == "RUNNING" for n in nodes
                       for s in get_json(f"{base}/jobs/{jid}/vertices/{n['id']}")["subtasks"])
        wait_until(deployed, "every subtask running", procs=procs)

        def watch(*args):
            r = subprocess.run([cli, "--jobmanager", f"127.0.0.1:{port}", "status", jid, "--watch",
                                "--count", "2", "--interval-ms", "100", *args],
                               capture_output=True, text=True, timeout=60)
            check(r.returncode == 0, f"watch {args}: {r.returncode} {r.stderr}")
            return r.stdout

        frames = [json.loads(line) for line in watch("--json").splitlines()]
        check(len(frames) == 2, f"2 refreshes: {frames}")
        for frame in frames:
            check(frame["job"] == jid and frame["state"] == "RUNNING", f"frame {frame}")
            check(frame["metrics"] is False, f"metrics off: {frame}")
            vertices = frame["vertices"]
            check([v["parallelism"] for v in vertices] == parallelism, f"parallelism {vertices}")
            for v in vertices:
                check(all(v[m] is None for m in METRICS), f"no metric shown as a number: {v}")
                check(v["status"] == "RUNNING", f"vertex status: {v}")

        screens = watch()
        check(screens.count("metrics are off (the job runs with --metrics-interval-ms 0)") == 2,
              f"each screen says metrics are off: {screens}")
        rows = [line.split() for line in screens.splitlines() if line.split()[:1] == ["0"]]
        check(len(rows) == 2 and all(row[1] == "1" and row[3:10] == ["-"] * 7 for row in rows),
              f"the source's row: parallelism 1, '-' for each metric: {rows}")

        server.close()  # the socket source ends: the job finishes, its job manager exits
        check(jm.wait() == 0, "the job finished")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
