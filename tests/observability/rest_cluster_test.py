"""The REST API of a job manager process with two task managers (separate processes): the
task managers and where each subtask runs, records as the test fed them, a task manager's own
/metrics (--metrics-bind) agreeing with the job manager's view; then one task manager killed:
it shows as lost, its subtasks as LOST, the failure in the exceptions and numRestarts 1 (the
restart waits); a cancel through the API ends the job manager."""

import os
import sys
import tempfile

from rest_lib import *

N = 2000


def main(binary):
    work = tempfile.mkdtemp(prefix="rest_cluster_")
    lines = text_lines(N)
    words = word_count(lines)
    server = LineServer(lines)
    job_args = ["--socket", f"127.0.0.1:{server.port}", "--parallelism", "2",
                "--metrics-interval-ms", "200", "--restart-strategy", "fixed-delay",
                "--restart-attempts", "1", "--restart-delay-ms", "600000"]
    procs = []
    with cleaned_up(procs, server, work):
        jm, jm_port, base = start_job_manager(binary, 2, job_args, work, procs)
        tm_args = [binary, "--taskmanager", "--jobmanager", f"127.0.0.1:{jm_port}", "--slots", "1"]
        tm1 = Process(tm_args + ["--metrics-bind", "127.0.0.1:0"] + job_args,
                      os.path.join(work, "tm1.err"))
        procs.append(tm1)
        tm2 = Process(tm_args + job_args, os.path.join(work, "tm2.err"))
        procs.append(tm2)
        tm1_metrics = tm1.wait_for_line(r"metrics listening on (http://[0-9.]+:[0-9]+)",
                                        "task manager metrics").group(1)
        run_checks(base, jm, tm1, tm2, tm1_metrics, words)
        jid = get_json(f"{base}/jobs")["jobs"][0]["id"]
        status, _, body = http("PATCH", f"{base}/jobs/{jid}?mode=cancel")
        check(status == 202, f"cancel: {status} {body}")
        check(jm.wait() != 0, "the cancelled job manager exits non-zero")
    print("ok")


def run_checks(base, jm, tm1, tm2, tm1_metrics, words):
    procs = [jm, tm1, tm2]
    jid = get_json(f"{base}/jobs")["jobs"][0]["id"]
    tms = wait_until(
        lambda: (lambda t: t if len(t) == 2 and all(x["ready"] for x in t) else None)(
            get_json(f"{base}/taskmanagers")["taskmanagers"]),
        "two ready task managers", procs=procs)
    tm_ids = {t["id"] for t in tms}
    check(all(t["slotsNumber"] == 1 and not t["lost"] for t in tms), f"task managers {tms}")
    tm1_id = next(i for i in tm_ids if i.endswith(f":{tm1.proc.pid}"))
    tm2_id = next(i for i in tm_ids if i.endswith(f":{tm2.proc.pid}"))

    v = plan_vertices(get_json(f"{base}/jobs/{jid}/plan")["plan"])
    wait_until(lambda: vertex_sum(base, jid, v["sum"], "read-records") == words,
               f"the counting vertex reporting {words} records in", procs=procs)
    check(vertex_sum(base, jid, "0", "read-records") == N, "the source read every line")
    check(vertex_sum(base, jid, v["split"], "write-records") == words, "words out of split")
    subtasks = get_json(f"{base}/jobs/{jid}/vertices/{v['sum']}")["subtasks"]
    placed = {s["taskmanager-id"] for s in subtasks}
    check(placed == tm_ids, f"one counting subtask on each task manager: {placed} vs {tm_ids}")
    for t in get_json(f"{base}/taskmanagers")["taskmanagers"]:
        check(t["freeSlots"] == 0, f"both slots used: {t}")
    detail = get_json(f"{base}/taskmanagers/{tm1_id}")
    check(detail["metrics"]["rssBytes"] > 0 and detail["metrics"]["cpuTimeMs"] >= 0, str(detail))

    # The task manager's own exposition: its counting subtask's records in, as the job manager
    # reports them for that subtask.
    on_tm1 = next(s for s in subtasks if s["taskmanager-id"] == tm1_id)
    status, _, text = http("GET", f"{tm1_metrics}/metrics")
    check(status == 200, "task manager /metrics")
    mine = [l for l in text.splitlines() if l.startswith("sluice_task_records_in_total{")
            and f'vertex="{v["sum"]}"' in l]
    check(len(mine) == 1 and f'task_manager="{tm1_id}"' in mine[0], f"tm1 series {mine}")
    check(int(mine[0].rsplit(" ", 1)[1]) == on_tm1["metrics"]["read-records"],
          f"tm1 says {mine[0]}, the job manager {on_tm1['metrics']['read-records']}")
    check('subtask="{}"'.format(on_tm1["subtask"]) in mine[0], "subtask label")

    # Lose task manager 2: the restart waits (600 s delay), so the loss stays visible.
    tm2.proc.kill()
    tm2.proc.wait()
    lost = wait_until(
        lambda: [t for t in get_json(f"{base}/taskmanagers")["taskmanagers"] if t["lost"]],
        "the killed task manager shown as lost", procs=[jm])
    check([t["id"] for t in lost] == [tm2_id], f"lost task managers {lost}")
    detail = get_json(f"{base}/jobs/{jid}")
    check(detail["state"] == "RESTARTING" and detail["numRestarts"] == 1, f"job {detail['state']}")
    for vid in range(len(detail["vertices"])):
        for s in get_json(f"{base}/jobs/{jid}/vertices/{vid}")["subtasks"]:
            if s["taskmanager-id"] == tm2_id:
                check(s["status"] == "LOST", f"a subtask of the lost task manager: {s}")
    exc = get_json(f"{base}/jobs/{jid}/exceptions")
    entries = exc["exceptionHistory"]["entries"]
    # The first of the loss's symptoms the job manager saw: the task manager's connection, or
    # one of its subtasks going down with it.
    check(len(entries) == 1 and (tm2_id in entries[0]["stacktrace"] or
                                 "stopped unexpectedly" in entries[0]["stacktrace"]),
          f"exceptions {exc}")
    check(exc["root-exception"] == entries[0]["stacktrace"], "the root exception is the latest")
    expect_error("GET", f"{base}/taskmanagers/nosuch:1", 404, "nosuch:1")


if __name__ == "__main__":
    main(sys.argv[1])
