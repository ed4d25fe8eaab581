"""User metrics and per-operator records through the REST API and /metrics: user_metrics_job
(lines from a socket through "measure", a map with user metrics, "split", "long only" and a
sink, chained) fed N lines by the test. Expected values are computed here: the lines, their
lengths (histogram quantiles as Apache Commons Math estimates them), the words and the long
words."""

import os
import re
import shutil
import sys
import tempfile
import urllib.parse

from rest_lib import *

N = 400


def quantile(values, q):
    x = sorted(values)
    pos = q * (len(x) + 1)
    if pos < 1:
        return float(x[0])
    if pos >= len(x):
        return float(x[-1])
    below = int(pos)
    return x[below - 1] + (pos - below) * (x[below] - x[below - 1])


def main(binary):
    work = tempfile.mkdtemp(prefix="user_metrics_rest_")
    lines = text_lines(N)
    words = re.findall(r"[A-Za-z]+", "\n".join(lines))
    long_words = [w for w in words if len(w) > 4]
    server = LineServer(lines)
    job = Process([binary, "--socket", f"127.0.0.1:{server.port}", "--parallelism", "1",
                   "--rest-bind", "127.0.0.1:0", "--metrics-interval-ms", "200"],
                  os.path.join(work, "job.err"))
    try:
        base = rest_url(job)
        jid = get_json(f"{base}/jobs")["jobs"][0]["id"]
        vid = "0"

        def measured():
            v = get_json(f"{base}/jobs/{jid}/vertices/{vid}")
            ops = {o["name"]: o for o in v["subtasks"][0]["operators"]}
            m = ops.get("measure", {}).get("metrics", {})
            # Synchronise on every line counted and the last operator's records in.
            if m.get("lines") == N and ops["Sink: stdout"]["metrics"]["numRecordsIn"] == len(long_words):
                return v
            return None

        v = wait_until(measured, f"the user counter reaching {N}", procs=[job])
        sub = {o["name"]: o["metrics"] for o in v["subtasks"][0]["operators"]}
        m = sub["measure"]
        lengths = [len(line) for line in lines]
        check(m["linesMeter_count"] == N, f"meter count: {m}")
        check(m["longestLine"] == max(lengths), f"gauge: {m}")
        check(m["text.lineLength_count"] == N, f"histogram count: {m}")
        check(m["text.lineLength_min"] == min(lengths) and m["text.lineLength_max"] == max(lengths),
              f"histogram min/max: {m}")
        for key, q in [("median", 0.5), ("p75", 0.75), ("p90", 0.9), ("p95", 0.95),
                       ("p98", 0.98), ("p99", 0.99), ("p999", 0.999)]:
            got, want = m[f"text.lineLength_{key}"], quantile(lengths, q)
            check(abs(got - want) < 1e-9, f"histogram {key}: {got}, expected {want}")
        check(m["numRecordsIn"] == N and m["numRecordsOut"] == N, f"measure in/out: {m}")
        check(sub["split"]["numRecordsIn"] == N and sub["split"]["numRecordsOut"] == len(words),
              f"split in/out: {sub['split']}")
        check(sub["long only"]["numRecordsIn"] == len(words)
              and sub["long only"]["numRecordsOut"] == len(long_words),
              f"filter in/out: {sub['long only']}")
        vertex_ops = {o["name"]: o["metrics"] for o in v["operators"]}
        check(vertex_ops["split"]["numRecordsOut"] == len(words), f"vertex operators: {vertex_ops}")
        check(v["subtasks"][0]["metrics"]["numLateRecordsDropped"] == 0, "no late records")

        # GET /jobs/{id}/metrics: VERTEX.SUBTASK.OPERATOR.METRIC names.
        names = [e["id"] for e in get_json(f"{base}/jobs/{jid}/metrics")]
        check("0.0.measure.lines" in names, f"job metric names: {names}")
        get = ",".join(["0.0.measure.lines", "0.0.split.numRecordsOut"])
        values = {e["id"]: e["value"] for e in
                  get_json(f"{base}/jobs/{jid}/metrics?get={urllib.parse.quote(get)}")}
        check(values == {"0.0.measure.lines": str(N), "0.0.split.numRecordsOut": str(len(words))},
              f"job metric values: {values}")

        # The meter's rate: the job manager's two latest samples (a number once it has two).
        wait_until(lambda: isinstance(
            {o["name"]: o for o in get_json(f"{base}/jobs/{jid}/vertices/{vid}")["subtasks"][0]
             ["operators"]}["measure"]["metrics"]["linesMeter"], float),
                   "the meter's rate", procs=[job])

        # Prometheus: sluice_user_* and sluice_operator_* series.
        status, _, text = http("GET", f"{base}/metrics")
        check(status == 200, f"/metrics: {status}")
        series = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                series[name] = float(value)

        def one(prefix, **labels):
            hits = [v for k, v in series.items() if k.startswith(prefix + "{")
                    and all(f'{lk}="{lv}"' in k for lk, lv in labels.items())]
            check(len(hits) == 1, f"{prefix} {labels}: {hits}")
            return hits[0]

        check(one("sluice_user_lines", operator="measure") == N, "sluice_user_lines")
        check(one("sluice_user_linesMeter_total", operator="measure") == N, "meter total")
        check(one("sluice_user_text_lineLength", quantile="0.5") == quantile(lengths, 0.5),
              "histogram median in /metrics")
        check(one("sluice_user_text_lineLength_count") == N, "histogram count in /metrics")
        check(one("sluice_operator_records_out_total", operator="split") == len(words),
              "split records out in /metrics")
        check(one("sluice_operator_records_in_total", operator="long only") == len(words),
              "filter records in in /metrics")
        check("# TYPE sluice_user_text_lineLength summary" in text, "histogram as a summary")
        server.close()
        check(job.wait() == 0, f"the job ends when its socket closes: {job.stderr_text()}")
    finally:
        job.close()
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
