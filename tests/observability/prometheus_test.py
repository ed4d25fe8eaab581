"""A real Prometheus server (Debian's `prometheus`, started here on a free loopback port with a
1 s scrape interval and its own storage directory) scrapes word_count's REST API: its HTTP API
returns the records in and out the test fed (lines read by the source, words out of the
splitting vertex and into the counting vertex); `promtool check metrics` accepts the exposition.
Exits 77 (skipped) when prometheus is not installed."""

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

from rest_lib import *

N = 2500


def query(prom, expr):
    """The value of an instant query with one result, or None."""
    url = f"{prom}/api/v1/query?query={urllib.parse.quote(expr)}"
    status, _, body = http("GET", url)
    if status != 200 or body.get("status") != "success" or len(body["data"]["result"]) != 1:
        return None
    return float(body["data"]["result"][0]["value"][1])


def main(binary):
    if not shutil.which("prometheus") or not shutil.which("promtool"):
        print("prometheus or promtool not installed (apt-get install prometheus): skipped")
        sys.exit(77)
    work = tempfile.mkdtemp(prefix="prometheus_")
    lines = text_lines(N)
    words = word_count(lines)
    server = LineServer(lines)
    job = Process([binary, "--socket", f"127.0.0.1:{server.port}", "--parallelism", "2",
                   "--rest-bind", "127.0.0.1:0", "--metrics-interval-ms", "200"],
                  os.path.join(work, "job.err"))
    prom = None
    try:
        base = rest_url(job)
        jid = get_json(f"{base}/jobs")["jobs"][0]["id"]
        v = plan_vertices(get_json(f"{base}/jobs/{jid}/plan")["plan"])
        wait_until(lambda: vertex_sum(base, jid, v["sum"], "read-records") == words,
                   "the job processing every word", procs=[job])

        _, _, exposition = http("GET", f"{base}/metrics")
        check_promtool(exposition)

        port = free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: sluice\n    honor_labels: true\n"
                    f"    static_configs:\n      - targets: ['{base[len('http://'):]}']\n")
        prom = Process(["prometheus", f"--config.file={config}",
                        f"--storage.tsdb.path={os.path.join(work, 'data')}",
                        f"--web.listen-address=127.0.0.1:{port}"], os.path.join(work, "prom.err"))
        prom.wait_for_line(r"Server is ready to receive web requests", "prometheus ready")
        url = f"http://127.0.0.1:{port}"
        expected = {
            f'sum(sluice_task_records_in_total{{job="{jid}",vertex="0"}})': N,
            f'sum(sluice_task_records_out_total{{job="{jid}",vertex="{v["split"]}"}})': words,
            f'sum(sluice_task_records_in_total{{job="{jid}",vertex="{v["sum"]}"}})': words,
            f'count(sluice_task_records_in_total{{job="{jid}",vertex="{v["sum"]}"}})': 2,
        }
        for expr, value in expected.items():
            got = wait_until(lambda: query(url, expr) is not None and query(url, expr),
                             f"Prometheus answering {expr}", procs=[job, prom])
            check(got == value, f"Prometheus: {expr} = {got}, expected {value}")
    except SystemExit:
        for p in [job, prom]:
            if p:
                print(f"== {p.log_path}\n{p.stderr_text()[-3000:]}", file=sys.stderr)
        raise
    finally:
        job.close()
        if prom:
            prom.close()
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    print("ok")


def check_promtool(exposition):
    r = subprocess.run(["promtool", "check", "metrics"], input=exposition.encode(),
                       capture_output=True)
    check(r.returncode == 0,
          f"promtool check metrics: {r.returncode}: {r.stdout.decode()} {r.stderr.decode()}")


if __name__ == "__main__":
    main(sys.argv[1])
