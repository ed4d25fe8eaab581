"""--rest-bind and --metrics-bind: a given port in use or a malformed value is an error naming
the flag (exit 1); `off` serves nothing, and neither does a local job without the flag (the job
still runs to its correct result); --metrics-bind is for task managers."""

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

        # A local job serves the REST API only when --rest-bind is given (docs/observability.md).
        code, out, err = run(binary, work)
        check(code == 0 and "REST API" not in err and counts(out) == expected,
              f"local job without --rest-bind: {code} {err}")
        taken.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
