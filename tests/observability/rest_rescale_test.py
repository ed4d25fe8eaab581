"""Rescaling through the REST API (Flink's PATCH /jobs/:id/rescaling and its trigger status)
against word_count on the embedded local cluster, throttled over a file with checkpoints and the
exactly-once file sink: bad parameters and unknown triggers get 400 and 404; a refused rescale
completes with its failure cause and the job goes on; rescales 2 -> 3 -> 1 complete with the
changes, the plan shows the new parallelism, and the committed output is every word's rolling
counts exactly once (computed here)."""

import collections
import glob
import os
import re
import shutil
import sys
import tempfile

from rest_lib import *

N = 20000


def rolling_counts(lines):
    """word_count's output for lines: "word,c" for every occurrence c of each word, sorted."""
    seen = collections.Counter()
    out = []
    for line in lines:
        for w in re.findall(r"[A-Za-z]+", line):
            seen[w.lower()] += 1
            out.append(f"{w.lower()},{seen[w.lower()]}")
    return sorted(out)


def committed(out_dir):
    lines = []
    for f in glob.glob(os.path.join(out_dir, "part-*")):
        with open(f) as part:
            lines.extend(l.rstrip("\n") for l in part if l.strip())
    return sorted(lines)


def rescale(base, jid, job, query):
    """PATCH .../rescaling?query, then its trigger's status until COMPLETED: the operation."""
    status, _, body = http("PATCH", f"{base}/jobs/{jid}/rescaling?{query}")
    check(status == 202 and body["request-id"].startswith("rescale-"),
          f"PATCH rescaling?{query}: {status} {body}")
    trigger = body["request-id"]
    done = wait_until(
        lambda: (lambda s: s if s["status"]["id"] == "COMPLETED" else None)(
            get_json(f"{base}/jobs/{jid}/rescaling/{trigger}")),
        f"the rescale {query} to complete", procs=[job])
    return done["operation"]


def counting_parallelism(base, jid):
    plan = get_json(f"{base}/jobs/{jid}/plan")["plan"]
    return plan["nodes"][int(plan_vertices(plan)["sum"])]["parallelism"]


def main(binary):
    work = tempfile.mkdtemp(prefix="rest_rescale_")
    lines = text_lines(N)
    with open(os.path.join(work, "input.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    out = os.path.join(work, "out")
    job = Process([binary, "--input", os.path.join(work, "input.txt"), "--parallelism", "2",
                   "--slots", "3", "--source-rate", "4000", "--output", out,
                   "--rest-bind", "127.0.0.1:0", "--checkpoint-interval-ms", "200",
                   "--checkpoint-dir", os.path.join(work, "ckpt")], os.path.join(work, "job.err"))
    try:
        base = rest_url(job)
        jid = get_json(f"{base}/jobs")["jobs"][0]["id"]
        expect_error("PATCH", f"{base}/jobs/{jid}/rescaling", 400, "parallelism")
        expect_error("PATCH", f"{base}/jobs/{jid}/rescaling?parallelism=two", 400, "'two'")
        expect_error("PATCH", f"{base}/jobs/nosuchjob/rescaling?parallelism=3", 404, "nosuchjob")
        expect_error("GET", f"{base}/jobs/{jid}/rescaling/rescale-999", 404, "rescale-999")
        refused = rescale(base, jid, job, "parallelism=4")
        check("it needs 4 slots" in refused["failure-cause"]["stack-trace"],
              f"a rescale beyond the slots fails with its cause: {refused}")
        for before, after in ((2, 3), (3, 1)):
            check(counting_parallelism(base, jid) == before, f"parallelism {before} before")
            done = rescale(base, jid, job, f"parallelism={after}")
            check(f"{before} -> {after}" in done["changes"], f"rescale to {after}: {done}")
            check(counting_parallelism(base, jid) == after, f"parallelism {after} after")
        check(job.wait() == 0, "the rescaled job finishes")
        check(committed(out) == rolling_counts(lines), "every rolling count exactly once")
    except SystemExit:
        print(job.stderr_text()[-3000:], file=sys.stderr)
        raise
    finally:
        job.close()
        shutil.rmtree(work, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
