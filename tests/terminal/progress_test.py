"""The progress bar of a bounded local job (docs/terminal.md): word_count --input FILE with
stderr on a pseudo-terminal shows the bar, ending at 100% with the file's size and its line
count as records; log lines written meanwhile (--log-level info) each start on a line of their
own, never inside a bar; with stderr in a file, or with --no-progress, there is no bar."""

import os
import pty
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "observability"))
from rest_lib import check, text_lines, word_count  # noqa: E402

N = 20000
RATE = 5000  # records/s: the job takes at least N / RATE = 4 s, the bar redraws every 250 ms
CLEAR = b"\r\x1b[K"
BAR = re.compile(rb"\[[#-]{10,}\] +\d+%")
LOG = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} ")


def size_text(n):
    """The size as the bar prints it: bytes below 1 KiB, else one decimal in KiB, MiB, ..."""
    if n < 1024:
        return f"{n} B"
    value, unit = n / 1024, 0
    while value >= 1024 and unit < 3:
        value, unit = value / 1024, unit + 1
    return f"{value:.1f} {['KiB', 'MiB', 'GiB', 'TiB'][unit]}"


def run_on_pty(args, out_path):
    """Runs args with stderr on a pseudo-terminal; returns (exit code, bytes written there)."""
    master, slave = pty.openpty()
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=slave)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    return proc.wait(timeout=120), data.replace(b"\r\n", b"\n")


def bar_segments(data):
    """What each line start or clear-line starts in data, in order; the indexes of the bars
    among them, each at the start of its segment and holding no log line; their percentages,
    checked never to go back."""
    segments = [part for physical in data.split(b"\n") for part in physical.split(CLEAR) if part]
    bars = [i for i, s in enumerate(segments) if BAR.search(s)]
    check(bars, f"no progress bar in {data[-2000:]!r}")
    for i in bars:
        check(BAR.match(segments[i]), f"a bar not at the start of a line: {segments[i]!r}")
        check(not LOG.search(segments[i]), f"a log line inside a bar: {segments[i]!r}")
    percents = [int(re.search(rb"(\d+)%", segments[i]).group(1)) for i in bars]
    check(percents == sorted(percents), f"the percentage never goes back: {percents}")
    last = segments[bars[-1]]
    check(data[data.rfind(last) + len(last):].startswith(b"\n"),
          "the last bar stays on the screen (a newline after it)")
    return segments, bars, percents


def check_bar(data, size, lines):
    # A bar or a log line must begin a segment (drawn over a cleared line, or on a line of its
    # own), and never hold the other.
    segments, bars, _ = bar_segments(data)
    logs = [i for i, s in enumerate(segments) if LOG.search(s)]
    for i in logs:
        check(LOG.match(segments[i]), f"a log line not at the start of a line: {segments[i]!r}")
    check(any(bars[0] < i < bars[-1] for i in logs),
          f"no log line written while the bar was shown: {data[-3000:]!r}")
    final = segments[bars[-1]].decode()
    expected = f"{size_text(size)}/{size_text(size)}"
    check("100%" in final and expected in final and f" {lines} records" in final and "done" in final,
          f"the last bar {final!r}: expected 100%, {expected}, {lines} records, done")


def main(binary):
    with tempfile.TemporaryDirectory(prefix="progress_") as work:
        text = text_lines(N)
        path = os.path.join(work, "input.txt")
        with open(path, "w") as f:
            f.write("".join(line + "\n" for line in text))
        size = os.path.getsize(path)
        out = os.path.join(work, "out.txt")
        args = [binary, "--input", path, "--parallelism", "1", "--source-rate", str(RATE),
                "--log-level", "info"]

        code, data = run_on_pty(args, out)
        check(code == 0, f"word_count exited {code}: {data[-2000:]!r}")
        with open(out) as f:
            counts = [l for l in f.read().splitlines() if l]
        check(len(counts) == word_count(text), "word_count printed a count per word")
        check_bar(data, size, N)

        with open(os.path.join(work, "err.txt"), "wb") as err, open(out, "wb") as o:
            code = subprocess.run(args, stdout=o, stderr=err, timeout=120).returncode
        with open(os.path.join(work, "err.txt"), "rb") as err:
            piped = err.read()
        check(code == 0 and LOG.search(piped), f"piped run: exit {code}, stderr {piped[-500:]!r}")
        check(not BAR.search(piped) and CLEAR not in piped, "no bar when stderr is a file")

        code, data = run_on_pty(args + ["--no-progress"], out)
        check(code == 0 and LOG.search(data), f"--no-progress: exit {code}: {data[-500:]!r}")
        check(not BAR.search(data) and CLEAR not in data, "no bar with --no-progress")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
