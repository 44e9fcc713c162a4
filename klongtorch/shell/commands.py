"""The ]-commands of the REPL (SEMANTICS : INTERACTION), with no user interface.

    ]h topic  help       ]hall  all topics    ]a word  apropos    ]l file  load
    ]i dir    inventory  ]! cmd shell         ]t file  transcript ]q       quit

`run(line, interp)` decides what a command means and returns an Outcome; each shell (the
REPL in cli.py, the Jupyter kernel) decides how to show it: the REPL prints help, the kernel
pages it; the REPL lets ]! use the terminal, the kernel streams its output into the cell.
Nothing here prints.
"""
import glob
import os
import subprocess
from dataclasses import dataclass
from typing import Optional

from klongtorch.shell import help as helptable

OVERVIEW = """\
klongtorch: the Klong array language on PyTorch.

Enter an expression to see its value, e.g.  +/!10  or  f::{x*x}; f'[1 2 3]
The last result is kept in the variable `it`.

  ]h topic   help on an operator, adverb, system function or variable:
             ]h +   ]h /   ]h .p   ]h Plus   ]h it
  ]hall      list all help topics
  ]a word    list the topics whose help mentions word (apropos)
  ]l file    load a Klong program (.l("file"))
  ]i [dir]   list the *.kg files in dir
  ]! cmd     run a shell command
  ]t [file]  start (or, without file, stop) a transcript
  ]q         quit (end of input, control-D, also works)

Control-C interrupts a computation, or clears the line being typed."""


@dataclass
class Outcome:
    """What a ]-command asks of its shell. At most one of the action fields is set."""
    text: str = ""                      # output to show (a listing, a usage line)
    help: bool = False                  # text is help: a notebook shows it in its pager
    error: str = ""                     # a kg-style message for the error stream
    source: Optional[str] = None        # Klong code to evaluate (]l)
    shell: Optional[str] = None         # a shell command to run (]!)
    transcript: Optional[str] = None    # a file to start a transcript in; "" stops it (]t)
    exit: Optional[int] = None          # leave with this exit code (]q)


def is_command(text):
    """Whether an input is a ]-command rather than Klong code."""
    return text.lstrip().startswith("]")


def klong_string(s):
    """s as a Klong string literal."""
    return '"' + s.replace('"', '""') + '"'


# -- the commands: (argument, interpreter) -> Outcome -------------------------------------

def quit_(arg, interp):
    return Outcome(exit=0)


def help_(arg, interp):
    if not arg:
        return Outcome(OVERVIEW, help=True)
    if arg == "all":
        return Outcome(helptable.hall(interp), help=True)
    text = helptable.help_text(arg, interp)
    if text is None:
        hits = helptable.search(arg, interp)
        text = f"no help on {arg!r}" + ("; see also: " + " ".join(hits) if hits else "")
    return Outcome(text, help=True)


def apropos(arg, interp):
    if not arg:
        return Outcome("usage: ]a word")
    hits = helptable.search(arg, interp)
    if not hits:
        return Outcome(f"nothing appropriate for {arg!r}")
    lines = [line for topic in hits
             for line in helptable.summary(topic, interp) or [topic]]
    return Outcome("\n".join(lines))


def load(arg, interp):
    if not arg:
        return Outcome(error="kg: error: ]l: no file named (usage: ]l file)")
    return Outcome(source=f".l({klong_string(arg)})")


def shell(arg, interp):
    return Outcome(shell=arg) if arg else Outcome()


def inventory(arg, interp):
    directory = arg or (os.environ.get("KLONGPATH", ".:lib").split(":")[0] or ".")
    if not os.path.isdir(directory):
        return Outcome(error=f"kg: error: ]i: no such directory: {directory}")
    paths = sorted(glob.glob(os.path.join(glob.escape(directory), "*.kg")))
    return Outcome("\n".join(os.path.basename(p) for p in paths))


def transcript(arg, interp):
    return Outcome(transcript=os.path.expanduser(arg) if arg else "")


COMMANDS = {"q": quit_, "h": help_, "a": apropos, "l": load, "!": shell, "i": inventory,
            "t": transcript}


def run(line, interp=None):
    """The Outcome of one ]-command line such as ']h +' or ']hall'."""
    line = line.strip()
    name, arg = line[1:2], line[2:].strip()
    handler = COMMANDS.get(name)
    if handler is None:
        return Outcome(error=f"kg: error: unknown command: ]{name}  (]h for help)")
    return handler(arg, interp)


def run_shell(command, out=None):
    """Run a shell command. With out (a text stream), its output and errors are copied there
    line by line as they come (a notebook has no terminal to give it); without, it uses
    the terminal. An interrupt stops the command and is passed on."""
    if out is None:
        subprocess.run(command, shell=True)
        return
    proc = subprocess.Popen(command, shell=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            text=True, errors="replace")
    try:
        for line in proc.stdout:
            out.write(line)
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        proc.stdout.close()


__all__ = ["Outcome", "OVERVIEW", "COMMANDS", "run", "run_shell", "is_command",
           "klong_string"]
