"""Nothing written is lost: output channels left open reach their files when Klong ends.

kg flushes every open output channel at exit. Each way of ending is run as its own
process (the four start at once, to keep the test short): `-e`, a script that ends with
.x(0), the REPL reading its input from a pipe, and the Python API with the interpreter
still alive when Python exits.
"""
import os
import subprocess
import sys

PROGRAM = 'c::.oc("{f}");.tc(c);.p("data");.tc(0);1'

CASES = {
    "eval": lambda f: [sys.executable, "-m", "klongtorch", "-e", PROGRAM.format(f=f)],
    "script": lambda f: [sys.executable, "-m", "klongtorch", "prog.kg"],
    "repl": lambda f: [sys.executable, "-m", "klongtorch", "-q"],
    "python": lambda f: [sys.executable, "-c",
                         "from klongtorch import Klong\nk = Klong()\n"
                         f"k({PROGRAM.format(f=f)!r})\n"],
}


def test_open_output_channels_are_flushed_at_exit(tmp_path):
    (tmp_path / "prog.kg").write_text(
        'c::.oc("script.txt");.tc(c);.p("data");.tc(0);.x(0);.p("not reached")\n')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    cases = dict(CASES)
    full = os.path.exists("/dev/full")
    if full:        # a full disk at exit is reported, and the exit code says so
        cases["full"] = lambda f: CASES["eval"]("/dev/full")
    procs = {}
    for name, argv in cases.items():
        procs[name] = subprocess.Popen(
            argv(f"{name}.txt"), cwd=tmp_path, env=env, text=True, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results = {}
    for name, p in procs.items():
        given = PROGRAM.format(f="repl.txt") + "\n" if name == "repl" else ""
        out, err = p.communicate(given, timeout=300)
        results[name] = (p.returncode, err)
    expected = {name: (0, "") for name in CASES}
    if full:
        expected["full"] = (1, "kg: error: exit: io error: /dev/full: No space left on device\n")
    assert results == expected
    for name in CASES:
        assert (tmp_path / f"{name}.txt").read_text() == "data\n", name
