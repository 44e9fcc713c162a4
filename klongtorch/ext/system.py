"""System functions and variables (SEMANTICS : FUNCTIONS and VARIABLES).

Each system function is a method of SystemFunctions named after its Klong name, whose
docstring is its help. `install` binds them, with their arities, into an interpreter.
"""
import os
import random
import subprocess
import sys
import time

from klongtorch.ext.channels import Channel, open_channel, read_from, read_string
from klongtorch.parse.sources import read_source
from klongtorch.value.errors import KlongExit, err
from klongtorch.value.functions import SysFunc
from klongtorch.value.text import show, show_display
from klongtorch.value.values import EOF, Symbol, ctx, truth


class Module:
    """An open .module: its name, the names defined in it, and the globals that existed
    when it was opened (references to those stay global unless redefined inside)."""

    def __init__(self, name, existing):
        self.name, self.existing, self.names = name, existing, set()


def _string(v, fn):
    if type(v) is not str:
        raise err(fn, "type", v)
    return v


class SystemFunctions:
    def __init__(self, interp):
        self.k = interp

    # -- output --------------------------------------------------------------------------

    def d(self, a):
        """.d(a)  Display
        Write a to the To Channel in its pretty form (strings and characters bare), without
        a newline. Returns a."""
        self.k.to_channel.write(show_display(a))
        return a

    def w(self, a):
        """.w(a)  Write
        Write a to the To Channel in its readable form (the form .r reads back), without a
        newline. Returns a."""
        self.k.to_channel.write(show(a))
        return a

    def p(self, a):
        """.p(a)  Print
        Pretty-print a (like .d) followed by a newline. Returns a."""
        self.k.to_channel.write(show_display(a) + "\n")
        return a

    def fl(self):
        """.fl()  Flush
        Make sure everything written to the To Channel has reached its file or device."""
        self.k.to_channel.flush()
        return []

    # -- input ---------------------------------------------------------------------------

    def rl(self):
        """.rl()  Read-Line
        Read a line from the From Channel, without its line separator."""
        line = self.k.from_channel.readline()
        return "" if line is None else line

    def r(self):
        """.r()  Read
        Read one data object (a number, string, list, dictionary, ...) from the From Channel.
        Lists and dictionaries may span lines. At the end of input, returns :eof."""
        return read_from(self.k.from_channel)

    def rs(self, a):
        """.rs(a)  Read-String
        Read the data object that the string a holds, e.g. .rs("[1 2 3]") --> [1 2 3] and
        .rs("-5") --> -5. A string that holds no object gives :eof; one that holds more
        than one object, half of one or code gives :undefined, as in kg."""
        return read_string(_string(a, ".rs"))

    def mi(self, a):
        """.mi(a)  More-Input
        1 while the From Channel has not been read past its end, else 0."""
        return int(not self.k.from_channel.at_eof)

    # -- channels ------------------------------------------------------------------------

    def ic(self, a):
        """.ic(a)  Input-Channel
        Open the file named a for reading and return the channel."""
        return open_channel(_string(a, ".ic"), "in")

    def oc(self, a):
        """.oc(a)  Output-Channel
        Open (and truncate) the file named a for writing and return the channel."""
        return self.k.opened(open_channel(_string(a, ".oc"), "out"))

    def ac(self, a):
        """.ac(a)  Append-Channel
        Open the file named a for appending and return the channel."""
        return self.k.opened(open_channel(_string(a, ".ac"), "append"))

    def cc(self, a):
        """.cc(a)  Close-Channel
        Close channel a; closing a closed or standard channel does nothing. Returns []."""
        if not isinstance(a, Channel):
            raise err(".cc", "type", a)
        k = self.k
        if k.from_channel is a:
            k.from_channel = k.cin
        if k.to_channel is a:
            k.to_channel = k.cout
        try:
            a.close()
        except OSError as e:            # the last buffered data could not be written
            raise err(".cc", "io", text=f"{a.name}: {e.strerror}") from None
        return []

    def fc(self, a):
        """.fc(a)  From-Channel
        Select input channel a for reading (a false value selects .cin). Returns the channel
        that was selected before."""
        return self._select("from_channel", "cin", "in", a, ".fc")

    def tc(self, a):
        """.tc(a)  To-Channel
        Select output channel a for writing (a false value selects .cout). Returns the channel
        that was selected before."""
        return self._select("to_channel", "cout", "out", a, ".tc")

    def _select(self, attr, default, mode, a, fn):
        k = self.k
        old = getattr(k, attr)
        if not truth(a):
            a = getattr(k, default)     # the interpreter's own: .cout::5 cannot break output
        elif not isinstance(a, Channel) or a.mode != mode:
            raise err(fn, "type", a)
        elif a.closed and mode == "out":     # kg dies writing to one; reading one is :eof
            raise err(fn, "io", text=f"channel {a.name} is closed")
        setattr(k, attr, a)
        return old

    # -- files and the system ------------------------------------------------------------

    def df(self, a):
        """.df(a)  Delete-File
        Delete the file named a; an error if it cannot be deleted."""
        try:
            os.remove(_string(a, ".df"))
        except OSError as e:
            raise err(".df", "io", text=f"{a}: {e.strerror}") from None
        return []

    def sys(self, a):
        """.sys(a)  System
        Run the command a with sh -c and return its exit code (0 for success)."""
        cmd = _string(a, ".sys")
        sys.stdout.flush()
        done = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True)
        if done.stdout:
            self.k.to_channel.write(done.stdout)
        if done.stderr:
            sys.stderr.write(done.stderr)
        return done.returncode

    def x(self, a):
        """.x(a)  Exit
        Leave Klong: with success when a is false (0, [], ""), else with failure. An integer
        a is the exit code."""
        self.k.flush_channels(".x")     # as kg does: nothing written is lost
        if type(a) is int:
            raise KlongExit(a & 255)
        raise KlongExit(1 if truth(a) else 0)

    def pc(self):
        """.pc()  Process-Clock
        The processor time used by this process so far, in seconds."""
        return time.process_time()

    def rn(self):
        """.rn()  Random
        A random real number x with 0 <= x < 1."""
        return random.random()

    # -- programs ------------------------------------------------------------------------

    def E(self, a):
        """.E(a)  Evaluate
        Evaluate the Klong program in string a and return its value: .E("a::123");a --> 123."""
        return self.k.run(_string(a, ".E"))

    def l(self, a):
        """.l(a)  Load
        Load the program in file a (or a.kg), searching the directories in KLONGPATH
        (default ".:lib"; a name starting with / or . is used as it is). Returns the value of
        the last expression in the file."""
        path = self.k.find_file(_string(a, ".l"))
        try:
            text = read_source(path)
        except OSError as e:
            raise err(".l", "io", text=f"{path}: {e.strerror}") from None
        value = self.k.run(text, filename=path)
        return [] if value is EOF else value        # kg: loading an empty file gives []

    def comment(self, a):
        """.comment(a)  Comment
        Skip the following lines up to and including one that starts with the string a."""
        parser = self.k.parser
        if parser is None:
            raise err(".comment", "io", text="no program text to skip")
        parser.skip_comment(_string(a, ".comment"))
        return a

    def module(self, a):
        """.module(a)  Module
        .module(:name) opens a module: names defined until .module(0) belong to it and
        later redefinitions outside do not change what its functions see."""
        k = self.k
        if type(a) is Symbol:
            if k.module is not None:
                raise err(".module", "nesting", text="modules cannot be nested")
            k.module = Module(a.name, set(k.globals))
        elif not truth(a):
            k.module = None
        else:
            raise err(".module", "type", a)
        return []


# name -> arity; the method is SystemFunctions.<name without the dot>
ARITIES = {".ac": 1, ".cc": 1, ".comment": 1, ".d": 1, ".df": 1, ".E": 1, ".fc": 1, ".fl": 0,
           ".ic": 1, ".l": 1, ".mi": 1, ".module": 1, ".oc": 1, ".p": 1, ".pc": 0, ".r": 0,
           ".rl": 0, ".rn": 0, ".rs": 1, ".sys": 1, ".tc": 1, ".w": 1, ".x": 1}

VARIABLE_HELP = {
    ".a": ".a  Arguments\n    The command line arguments of a Klong program, as a list of strings.",
    ".os.argv": ".os.argv  Script-Arguments\n    KlongPy's name for the script's arguments: .a, "
                "less a leading \"--\"\n    (klongtorch prog.kg a b and KlongPy's kgpy prog.kg -- a b "
                "both give [\"a\" \"b\"]).",
    ".cin": ".cin  Input-Channel\n    The standard input channel.",
    ".cout": ".cout  Output-Channel\n    The standard output channel.",
    ".cerr": ".cerr  Error-Channel\n    The standard error channel.",
    ".cols": ".cols  Columns\n    The width of the screen in columns (80).",
    ".e": ".e  Epsilon\n    The smallest difference between two reals (0.1<=x<1) that Klong can tell apart.",
    ".edit": ".edit  Editor\n    True when line editing and history are enabled at the prompt.",
    ".f": ".f  Function\n    The innermost function being defined, for anonymous recursion: {:[x;x*.f(x-1);1]}.",
    ".fastpow": ".fastpow  Fast-Power\n    0 at start, as in kg. kg compiles x^y to .pow(x;y) when this is set and an image\n    defines .pow; klongtorch always computes x^y directly, so setting it changes nothing.",
    ".helpdb": ".helpdb  Help-Database\n    [] at start: the list of help entries that the library module help.kg fills.",
    ".h": ".h  Host\n    A symbol naming the host system: :unix.",
    "it": "it  It\n    The value of the last successful computation at the prompt.",
}


def script_arguments(args):
    """.os.argv for a script's arguments: KlongPy's command passes them after "--", which
    klongtorch's does not need, so one leading "--" is dropped."""
    args = list(args)
    return args[1:] if args[:1] == ["--"] else args


def install(interp):
    fns = SystemFunctions(interp)
    g = interp.globals
    for name, arity in ARITIES.items():
        g[name] = SysFunc(name, arity, getattr(fns, name[1:]), interp)
    # the interpreter keeps its own references: the variables can be reassigned, as in kg
    g[".cin"] = interp.cin = Channel("stdin", "in", std="stdin")
    g[".cout"] = interp.cout = Channel("stdout", "out", std="stdout")
    g[".cerr"] = interp.cerr = Channel("stderr", "out", std="stderr")
    g[".a"] = []
    g[".os.argv"] = []
    g[".cols"] = 80
    g[".e"] = 2.220446049250313e-16 if ctx.real.itemsize == 8 else 1.1920928955078125e-07
    g[".edit"] = 1
    g[".fastpow"] = 0
    g[".helpdb"] = []             # help.kg's database of help entries, empty as in kg
    g[".h"] = Symbol("unix")
    g[".f"] = []
    g["it"] = []                  # before any value, as in kg
    return fns

