"""The progress bar of a bounded job run as a job manager process (docs/terminal.md):
word_count --input FILE --jobmanager-bind with its stderr on a pseudo-terminal and one task
manager shows the bar from the task manager's reports, its percentage never going back, ending
at 100% with the file's size, done, and at most the file's lines as records (the latest report);
the task manager, whose stderr is a file, draws none."""

import os
import socket
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "observability"))
from rest_lib import Process, check, cleaned_up, free_port, text_lines, wait_until  # noqa: E402
from progress_test import BAR, CLEAR, bar_segments, run_on_pty, size_text  # noqa: E402

N = 20000
RATE = 5000  # records/s: the job takes at least N / RATE = 4 s, reported every 100 ms


class NoServer:
    def close(self):
        pass


def accepting(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def main(binary):
    work = tempfile.mkdtemp(prefix="progress_cluster_")
    path = os.path.join(work, "input.txt")
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in text_lines(N)))
    size = os.path.getsize(path)
    port = free_port()
    job = ["--input", path, "--parallelism", "1", "--source-rate", str(RATE),
           "--metrics-interval-ms", "100", "--log-level", "info"]
    jm_args = [binary, "--jobmanager-bind", f"127.0.0.1:{port}", "--taskmanagers", "1",
               "--rest-bind", "off"] + job
    result = {}
    jm = threading.Thread(target=lambda: result.update(
        zip(("code", "data"), run_on_pty(jm_args, os.path.join(work, "jm.out")))))
    procs = []
    with cleaned_up(procs, NoServer(), work):
        jm.start()
        wait_until(lambda: accepting(port) or not jm.is_alive(), "the job manager listening")
        tm = Process([binary, "--taskmanager", "--jobmanager", f"127.0.0.1:{port}", "--slots", "1"]
                     + job, os.path.join(work, "tm.err"))
        procs.append(tm)
        jm.join(timeout=120)
        check(not jm.is_alive(), "the job manager did not exit within 120 s")
        data = result["data"]
        check(result["code"] == 0, f"the job manager exited {result['code']}: {data[-2000:]!r}")
        check(tm.wait() == 0, f"the task manager exited {tm.returncode}")
        check(not BAR.search(tm.stderr_text().encode()), "no bar on the task manager")
        segments, bars, percents = bar_segments(data)
        check(len(bars) >= 2, f"a bar redrawn while the job ran: {data[-2000:]!r}")
        final = segments[bars[-1]].decode()
        whole = f"{size_text(size)}/{size_text(size)}"
        check("100%" in final and whole in final and "done" in final,
              f"the last bar {final!r}: expected 100%, {whole}, done")
        records = int(final.split(" records")[0].split()[-1])
        check(0 < records <= N, f"the last bar's records {records}: 1..{N}")
        check(CLEAR in data, "the bar is a status line")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
