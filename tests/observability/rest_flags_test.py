"""--rest-bind and --metrics-bind: a given port in use or a malformed value is an error naming
the flag (exit 1); `off` serves nothing; the default 127.0.0.1:8081 taken by another process
only warns and the job still runs to its correct result; --metrics-bind is for task managers."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile

from rest_lib import *


def run(binary, work, *flags):
    r = subprocess.run([binary, "--input", os.path.join(work, "in.txt"), *flags],
                       capture_output=True, timeout=TIMEOUT_S)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def main(binary):
    work = tempfile.mkdtemp(prefix="rest_flags_")
    try:
        with open(os.path.join(work, "in.txt"), "w") as f:
            f.write("b a b\nc\n")
        expected = sorted(["b,1", "a,1", "b,2", "c,1"])
        counts = lambda out: sorted(l.split("> ")[-1] for l in out.splitlines() if l)

        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, _, err = run(binary, work, "--rest-bind", f"127.0.0.1:{port}")
        check(code == 1 and f"flag --rest-bind: cannot listen on 127.0.0.1:{port}" in err,
              f"a given port in use: exit {code}: {err}")
        for bad in ["nohostport", "127.0.0.1:99999", "127.0.0.1:x"]:
            code, _, err = run(binary, work, "--rest-bind", bad)
            check(code != 0 and "flag --rest-bind" in err, f"--rest-bind {bad}: {code} {err}")
        code, _, err = run(binary, work, "--metrics-bind", "127.0.0.1:0")
        check(code != 0 and "flag --metrics-bind is for task managers" in err, err)

        code, out, err = run(binary, work, "--rest-bind", "off")
        check(code == 0 and "REST API" not in err and counts(out) == expected,
              f"--rest-bind off: {code} {err}")

        default = socket.socket()
        try:
            default.bind(("127.0.0.1", 8081))
            default.listen(1)
            held = True
        except OSError:
            held = False  # another process has it: the job must warn all the same
        # A local job serves the REST API on the default address too, or warns and runs without.
        code, out, err = run(binary, work)
        check(code == 0 and counts(out) == expected, f"default bind: {code} {err}")
        warned = "no REST API: cannot listen on 127.0.0.1:8081" in err
        if held:
            check(warned, f"warning: {err}")
        else:  # free once this test looked, or another job's: served, or the warning
            check(warned or "REST API listening on http://127.0.0.1:8081" in err,
                  f"default bind tried: {err}")
        default.close()
        taken.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
