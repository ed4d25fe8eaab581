"""Every REST endpoint against word_count on the embedded local cluster (--rest-bind port 0),
fed N lines through a socket that stays open: the values are checked against what the test
fed (lines read by the source, words out of it and into the counting vertex), and the status
codes and JSON error bodies of bad paths, ids, parameters and methods. Then a savepoint
through the API, and a cancel through the API ends the job."""

import os
import shutil
import sys
import tempfile

from rest_lib import *

N = 3000


def main(binary):
    work = tempfile.mkdtemp(prefix="rest_local_")
    lines = text_lines(N)
    words = word_count(lines)
    server = LineServer(lines)
    job = Process([binary, "--socket", f"127.0.0.1:{server.port}", "--parallelism", "2",
                   "--rest-bind", "127.0.0.1:0", "--checkpoint-interval-ms", "200",
                   "--checkpoint-dir", os.path.join(work, "ckpt"),
                   "--savepoint-dir", os.path.join(work, "sp")], os.path.join(work, "job.err"))
    try:
        base = rest_url(job)
        run_checks(base, job, words, work)
        status, _, body = http("PATCH", f"{base}/jobs/{jid_of(base)}?mode=cancel")
        check(status == 202, f"cancel: status {status}: {body}")
        check(job.wait() != 0, "a cancelled job exits non-zero")
        check("job cancelled" in job.stderr_text(), "the cancelled job says so")
    finally:
        job.close()
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    print("ok")


def jid_of(base):
    jobs = get_json(f"{base}/jobs")["jobs"]
    check(len(jobs) == 1 and set(jobs[0]) == {"id", "status"}, f"GET /jobs: {jobs}")
    return jobs[0]["id"]


def run_checks(base, job, words, work, task_managers=None):
    """Every endpoint; `task_managers`: the task managers' ids and slots ({"local": 2} for the
    embedded cluster; rest_cluster_endpoints_test.py passes a job manager's two)."""
    task_managers = task_managers or {"local": 2}
    jid = jid_of(base)
    plan = get_json(f"{base}/jobs/{jid}/plan")["plan"]
    v = plan_vertices(plan)
    nodes = plan["nodes"]
    check(nodes[0]["parallelism"] == 1 and "socket" in nodes[0]["description"],
          f"the socket source runs alone: {nodes[0]}")
    sum_node = nodes[int(v["sum"])]
    check(sum_node["parallelism"] == 2, f"the counting vertex has parallelism 2: {sum_node}")
    check([i["ship_strategy"] for i in sum_node["inputs"]] == ["HASH"],
          f"the counting vertex reads its input by key: {sum_node}")

    # Synchronise on the job having processed every line: the counting vertex took in every word.
    wait_until(lambda: vertex_sum(base, jid, v["sum"], "read-records") == words,
               f"the counting vertex reporting {words} records in", procs=[job])
    check(vertex_sum(base, jid, "0", "read-records") == N, "the source read every line")
    check(vertex_sum(base, jid, v["split"], "write-records") == words, "split emitted each word")
    check(vertex_sum(base, jid, v["split"], "write-bytes") ==
          vertex_sum(base, jid, v["sum"], "read-bytes") > 0,
          "bytes out of the splitting vertex = bytes into the counting vertex")
    parallelism = [n["parallelism"] for n in nodes]

    detail = get_json(f"{base}/jobs/{jid}")
    check(detail["jid"] == jid and detail["state"] == "RUNNING", f"job detail: {detail['state']}")
    check([x["parallelism"] for x in detail["vertices"]] == parallelism, "vertex parallelism")
    check(detail["vertices"][int(v["sum"])]["metrics"]["read-records"] == words,
          "job detail: records into the counting vertex")
    check(detail["numRestarts"] == 0 and detail["duration"] >= 0, "restarts and duration")

    vertex = get_json(f"{base}/jobs/{jid}/vertices/{v['sum']}")
    check(len(vertex["subtasks"]) == 2, "two subtasks")
    for s in vertex["subtasks"]:
        check(s["taskmanager-id"] in task_managers and s["status"] == "RUNNING", f"subtask {s}")
    places = {(s["taskmanager-id"], s["slot"]) for s in vertex["subtasks"]}
    check(len(places) == 2 and all(0 <= slot < task_managers[tm] for tm, slot in places),
          f"one slot each: {places}")

    bp = get_json(f"{base}/jobs/{jid}/vertices/{v['sum']}/backpressure")
    check(bp["status"] == "ok" and len(bp["subtasks"]) == 2, f"backpressure: {bp}")
    for s in bp["subtasks"]:
        check(0 <= s["ratio"] <= 1 and s["backpressureLevel"] in ("ok", "low", "high"), str(s))
    wm = get_json(f"{base}/jobs/{jid}/vertices/0/watermarks")
    check(isinstance(wm, list), f"watermarks: {wm}")

    overview = get_json(f"{base}/overview")
    check(overview["taskmanagers"] == len(task_managers) and overview["jobs-running"] == 1,
          f"overview {overview}")
    check(overview["slots-total"] == sum(task_managers.values()) and
          overview["slots-available"] == 0, f"overview {overview}")
    tms = get_json(f"{base}/taskmanagers")["taskmanagers"]
    check({t["id"]: t["slotsNumber"] for t in tms} == task_managers, f"tms {tms}")
    placed = 0
    for tm_id in task_managers:
        tm = get_json(f"{base}/taskmanagers/{tm_id}")
        check(tm["metrics"]["rssBytes"] > 0 and tm["subtasks"], f"task manager {tm}")
        placed += len(tm["subtasks"])
    check(placed == sum(parallelism), f"{placed} subtasks on the task managers")

    # Checkpoints every 200 ms: wait for two completed ones.
    wait_until(lambda: get_json(f"{base}/jobs/{jid}/checkpoints")["counts"]["completed"] >= 2,
               "two completed checkpoints", procs=[job])
    ck = get_json(f"{base}/jobs/{jid}/checkpoints")
    completed = [c for c in ck["history"] if c["status"] == "COMPLETED"]
    check(completed and ck["latest"]["completed"]["id"] == max(c["id"] for c in completed),
          f"latest completed checkpoint: {ck['latest']}")
    for c in completed:
        # Every operator of every subtask acknowledges.
        operator_subtasks = sum(n["parallelism"] * len(n["operators"]) for n in nodes)
        check(c["num_acknowledged_subtasks"] == c["num_subtasks"] == operator_subtasks,
              f"acks {c}")
    metrics = get_json(f"{base}/jobs/{jid}/metrics?get=numRestarts,numberOfCompletedCheckpoints")
    values = {m["id"]: m["value"] for m in metrics}
    check(values["numRestarts"] == "0", f"job metrics {values}")
    check(int(values["numberOfCompletedCheckpoints"]) >= 2, f"job metrics {values}")
    names = [m["id"] for m in get_json(f"{base}/jobs/{jid}/metrics")]
    check("uptime" in names and "numRestarts" in names, f"metric names {names}")
    exc = get_json(f"{base}/jobs/{jid}/exceptions")
    check(exc["exceptionHistory"]["entries"] == [] and "root-exception" not in exc, str(exc))

    # Prometheus text: the per-subtask series with a subtask label, values as processed.
    status, headers, text = http("GET", f"{base}/metrics")
    check(status == 200 and headers["Content-Type"].startswith("text/plain"), "GET /metrics")
    series = [l for l in text.splitlines() if l.startswith("sluice_task_records_in_total{")]
    check(len(series) == sum(parallelism) and all('subtask="' in l for l in series),
          f"series {series}")
    total = sum(int(l.rsplit(" ", 1)[1]) for l in series if f'vertex="{v["sum"]}"' in l)
    check(total == words, f"records into the counting vertex in /metrics: {total} != {words}")

    # Errors: unknown job, vertex, task manager, path; wrong method; bad parameters.
    expect_error("GET", f"{base}/jobs/nosuchjob", 404, "nosuchjob")
    expect_error("GET", f"{base}/jobs/nosuchjob/plan", 404, "nosuchjob")
    expect_error("GET", f"{base}/jobs/{jid}/vertices/7", 404, "'7'")
    expect_error("GET", f"{base}/jobs/{jid}/vertices/7/backpressure", 404, "'7'")
    expect_error("GET", f"{base}/taskmanagers/nope", 404, "nope")
    expect_error("GET", f"{base}/no/such/path", 404, "/no/such/path")
    expect_error("DELETE", f"{base}/jobs", 405, "DELETE")
    expect_error("POST", f"{base}/jobs/{jid}/plan", 405, "POST")
    expect_error("GET", f"{base}/jobs/{jid}/metrics?get=uptime,bogusMetric", 400, "bogusMetric")
    expect_error("PATCH", f"{base}/jobs/{jid}?mode=explode", 400, "mode")
    expect_error("POST", f"{base}/jobs/{jid}/savepoints", 400, "target-directory",
                 body={"target-directory": 5})
    expect_error("GET", f"{base}/jobs/{jid}/savepoints/savepoint-999", 404, "savepoint-999")

    # A savepoint: 202 with a trigger id, then its status until completed with a location.
    target = os.path.join(work, "savepoints")
    status, _, body = http("POST", f"{base}/jobs/{jid}/savepoints", {"target-directory": target})
    check(status == 202 and "request-id" in body, f"trigger savepoint: {status} {body}")
    trigger = body["request-id"]
    done = wait_until(
        lambda: (lambda s: s if s["status"]["id"] == "COMPLETED" else None)(
            get_json(f"{base}/jobs/{jid}/savepoints/{trigger}")),
        "the savepoint to complete", procs=[job])
    location = done["operation"]["location"]
    check(location.startswith(target) and os.path.exists(os.path.join(location, "_metadata")),
          f"savepoint location {location}")


if __name__ == "__main__":
    main(sys.argv[1])
