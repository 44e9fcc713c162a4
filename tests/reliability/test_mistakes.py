"""A user's mistake leaves the state as it was, and reads as a Klong error naming the
operation: errors inside modules and half-loaded files, reassigned system variables, out
of memory, full disks, binary input, closed channels, a ]l without a file, and a
kernelspec that other users can read."""
import io
import os
import stat
from contextlib import contextmanager

import pytest

from klongtorch import Klong, KlongError
from klongtorch.shell import commands


@pytest.fixture
def k(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Klong(device="cpu")


def globals_of(k):
    return dict(k.globals)


# -- modules --------------------------------------------------------------------------------

def test_an_error_inside_a_module_leaves_no_module_open(k):
    k("a::1")
    with pytest.raises(KlongError, match="^kg: error: plus: type error"):
        k('.module(:m);f::{x+a};a::2;1+"x";.module(0)')
    assert k.module is None
    k("b::3")                       # a global again, not the module's
    assert k("b") == 3 and k(".module(:n);c::1;.module(0);c") == 1


def test_a_file_that_fails_midway_leaves_no_module_open(k, tmp_path):
    (tmp_path / "half.kg").write_text('.module(:half)\nf::{x*2}\n1+"x"\ng::{x}\n.module(0)\n')
    with pytest.raises(KlongError, match="^kg: error: plus: type error"):
        k('.l("half.kg")')
    assert k.module is None
    assert k("f(4)") == 8                   # what ran before the error is kept
    assert "g" not in k.globals             # what came after it never ran


def test_a_module_opened_by_a_previous_input_stays_open_after_an_error(k):
    k(".module(:m)")
    with pytest.raises(KlongError):
        k('1+"x"')
    assert k.module is not None and k.module.name == "m"
    k(".module(0)")


def test_an_error_changes_no_other_global(k):
    k('a::7;s::"abc";g::{[a];a::x;1+"x"}')
    before = globals_of(k)
    for bad in ('g(3)', '{[a s];a::1;s::2;a+"x"}()', '.module(:q);a::1+"x"'):
        with pytest.raises(KlongError):
            k(bad)
    assert globals_of(k) == before
    assert k.module is None


# -- system variables -----------------------------------------------------------------------

def test_reassigning_cout_and_cin_keeps_output_and_input_working(k, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("typed\n"))
    k('.cout::5;.cin::"x";.p("still shown")')
    assert capsys.readouterr().out == "still shown\n"
    assert k(".rl()") == "typed"
    # as in kg they are ordinary variables now: selecting 5 as a channel is a type error
    with pytest.raises(KlongError, match=r"^kg: error: \.tc: type error: 5"):
        k(".tc(.cout)")
    k(".tc(0);.p(1)")
    assert capsys.readouterr().out == "1\n"


def test_a_closed_channel_cannot_be_selected_for_output(k):
    k('c::.oc("x.txt");.cc(c)')
    with pytest.raises(KlongError, match=r"^kg: error: \.tc: io error: channel x.txt is closed"):
        k(".tc(c)")


# -- resources ------------------------------------------------------------------------------

@contextmanager
def address_space_left(extra):
    """The process may map only `extra` more bytes while the block runs (RLIMIT_AS): a
    real allocation failure, without eating the machine's memory."""
    resource = pytest.importorskip("resource")
    with open("/proc/self/status") as f:
        size = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (size + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_torch_running_out_of_memory_reads_as_out_of_memory(k):
    k("!10")                                # the code is warm: nothing else to map
    with address_space_left(256 << 20):
        with pytest.raises(KlongError) as e:
            k("!1000000000")                # 8 GB of integers
    assert e.value.message.startswith("kg: error: out of memory in Enumerate")
    assert "enforce fail" not in e.value.message and "alloc_cpu" not in e.value.message
    assert k("+/!10") == 45                 # and the interpreter goes on


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_an_io_error(k):
    k('c::.oc("/dev/full");.tc(c);.p("x")')
    with pytest.raises(KlongError, match=r"^kg: error: \.fl: io error: /dev/full: No space"):
        k(".fl()")
    with pytest.raises(KlongError, match=r"^kg: error: \.cc: io error: /dev/full: No space"):
        k(".cc(c)")
    assert k.to_channel is k.cout


def test_binary_input_is_read_byte_by_byte_as_kg_does(k, tmp_path):
    (tmp_path / "bin.dat").write_bytes(b"ab\x00\xff\xfe\x80cd\n\xe2\x88\x87\n")
    assert k('c::.ic("bin.dat");.fc(c);.rl()') == "ab\x00\xff\xfe\x80cd"
    assert k(".rl()") == "\u2207"           # UTF-8 text stays text


def test_load_without_a_file_is_a_klong_error(k):
    outcome = commands.run("]l", k)
    assert outcome.error.startswith("kg: error: ]l:")


def test_the_kernelspec_is_world_readable(tmp_path):
    pytest.importorskip("jupyter_client")
    from klongtorch.kernel.install import main
    assert main(["--prefix", str(tmp_path)]) == 0
    spec = tmp_path / "share" / "jupyter" / "kernels" / "klong"
    assert stat.S_IMODE(spec.stat().st_mode) == 0o755
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in spec.iterdir()}
    assert modes and set(modes.values()) == {0o644}, modes
