"""`sluice status JOB --watch` (docs/terminal.md) against word_count on a job manager with two
task managers, fed N lines through a socket: every refresh (--json, --count) shows the lines
read by the source, the words out of the splitting vertex and into the counting one as the test
counted them, each vertex's parallelism, rates and shares in range, the latest checkpoint as
the REST API reports it; the screen form has the same numbers; flags used wrongly are usage
errors; and a watch without --count ends by itself when the job ends (the socket closed)."""

import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "observability"))
from rest_lib import (Process, LineServer, check, cleaned_up, get_json, plan_vertices,  # noqa: E402
                      start_job_manager, text_lines, vertex_sum, wait_until, word_count)

N = 2500


def sluice(cli, port, *args, timeout=60):
    return subprocess.run([cli, "--jobmanager", f"127.0.0.1:{port}", *args],
                          capture_output=True, text=True, timeout=timeout)


def check_frame(frame, v, words, parallelism, jid):
    check(frame["job"] == jid and frame["state"] == "RUNNING", f"frame {frame}")
    vertices = frame["vertices"]
    check([x["parallelism"] for x in vertices] == parallelism, f"parallelism {vertices}")
    check(vertices[0]["records_out"] == N, f"the source read {vertices[0]['records_out']} lines")
    check(vertices[int(v["split"])]["records_out"] == words, "words out of the splitting vertex")
    check(vertices[int(v["sum"])]["records_in"] == words, "words into the counting vertex")
    for x in vertices:
        check(x["records_in_per_s"] >= 0 and x["records_out_per_s"] >= 0, f"rates {x}")
        check(0 <= x["busy"] <= 1 and 0 <= x["backpressured"] <= 1, f"shares {x}")
    check(frame["latest_checkpoint"] is not None and frame["latest_checkpoint"]["id"] >= 1,
          f"latest checkpoint {frame['latest_checkpoint']}")


def main(binary, cli):
    work = tempfile.mkdtemp(prefix="watch_")
    lines = text_lines(N)
    words = word_count(lines)
    server = LineServer(lines)
    job_args = ["--socket", f"127.0.0.1:{server.port}", "--parallelism", "2",
                "--metrics-interval-ms", "100", "--checkpoint-interval-ms", "200",
                "--checkpoint-dir", os.path.join(work, "ckpt")]
    procs = []
    with cleaned_up(procs, server, work):
        jm, port, base = start_job_manager(binary, 2, ["--log-level", "info"] + job_args, work, procs)
        for name in ("tm1", "tm2"):
            procs.append(Process([binary, "--taskmanager", "--jobmanager", f"127.0.0.1:{port}",
                                  "--slots", "1", "--log-level", "info"] + job_args,
                                 os.path.join(work, name + ".err")))
        jid = wait_until(lambda: get_json(f"{base}/jobs")["jobs"], "the job", procs=procs)[0]["id"]
        plan = get_json(f"{base}/jobs/{jid}/plan")["plan"]
        v = plan_vertices(plan)
        parallelism = [n["parallelism"] for n in plan["nodes"]]
        wait_until(lambda: vertex_sum(base, jid, v["sum"], "read-records") == words,
                   f"the counting vertex reporting {words} records in", procs=procs)
        wait_until(lambda: get_json(f"{base}/jobs/{jid}/checkpoints")["latest"]["completed"],
                   "a completed checkpoint", procs=procs)

        r = sluice(cli, port, "status", jid, "--watch", "--count", "3", "--interval-ms", "100",
                   "--json")
        check(r.returncode == 0, f"watch --json: {r.returncode} {r.stderr}")
        frames = [json.loads(l) for l in r.stdout.splitlines()]
        check(len(frames) == 3, f"3 refreshes, got {len(frames)}: {r.stdout}")
        for frame in frames:
            check_frame(frame, v, words, parallelism, jid)
        ids = [f["latest_checkpoint"]["id"] for f in frames]
        check(ids == sorted(ids), f"checkpoint ids never go back: {ids}")
        latest = get_json(f"{base}/jobs/{jid}/checkpoints")["latest"]["completed"]["id"]
        check(ids[-1] <= latest, f"the watch saw checkpoint {ids[-1]}, the API {latest} later")

        r = sluice(cli, port, "status", "word count", "--watch", "--count", "2",
                   "--interval-ms", "100")
        check(r.returncode == 0, f"watch: {r.returncode} {r.stderr}")
        check(r.stdout.count(f"job {jid} (word count): RUNNING") == 2, f"two screens: {r.stdout}")
        rows = [l.split() for l in r.stdout.splitlines() if l.split()[:1] == ["0"]]
        check(len(rows) == 2 and all(row[1] == "1" and row[4] == str(N) for row in rows),
              f"the source's row (parallelism 1, {N} records out) on each screen: {rows}")

        for args, mentions in [(["list", "--watch"], "--watch"),
                               (["status", jid, "--count", "2"], "--count"),
                               (["status", jid, "--watch", "--interval-ms", "0"], "--interval-ms")]:
            r = sluice(cli, port, *args)
            check(r.returncode == 2 and mentions in r.stderr, f"{args}: {r.returncode} {r.stderr}")
        r = sluice(cli, port, "status", "nosuchjob", "--watch")
        check(r.returncode == 1 and "nosuchjob" in r.stderr, f"unknown job: {r.stderr}")

        watch = subprocess.Popen([cli, "--jobmanager", f"127.0.0.1:{port}", "status", jid,
                                  "--watch", "--interval-ms", "100"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = watch.stdout.readline()
        check(first.startswith(f"job {jid} "), f"the watch's first screen: {first!r}")
        server.close()  # the socket source ends: the job finishes, its job manager exits
        out, err = watch.communicate(timeout=60)
        check(watch.returncode == 0, f"the watch ended with {watch.returncode}: {err}")
        check(jm.wait() == 0, "the job finished")
        check(out.rstrip().endswith("the job manager has gone: the job ended") or
              "): FINISHED" in out, f"the watch's last words: {out[-500:]}")
        for p, role in [(jm, "jobmanager")] + [(tm, "taskmanager") for tm in procs[1:]]:
            # On a cluster every log line names its process.
            p.wait()
            logged = [l for l in p.stderr_text().splitlines() if re.match(r"\d{4}-\d\d-\d\d ", l)]
            check(logged and all(f":{p.proc.pid}] " in l and f"[{role} " in l for l in logged),
                  f"{role} log lines without its name: {logged[:5]}")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
