"""Warm kernels: a spare kernel process, with torch imported, waiting for the next launch.

From launch to the first answer a cold kernel takes 0.92 s on two cores, and 0.6 s of that
is the Python part of `import torch`, which holds the GIL whichever thread runs it: nothing
inside the kernel can make it sooner (runtime/preload.py already loads torch's libraries on
the other core, and startup.py imports torch during the handshake). So the kernelspec
names this provisioner (jupyter_client's kernel_provisioners), which keeps a spare:

- A few seconds after it launches a kernel (SPARE_AFTER: long enough not to compete with
  that kernel's own start), at the first moment when a core is idle (quiet(): its imports
  would slow whatever keeps every core busy, the new kernel's cells first; after
  QUIET_WAIT seconds, or KLONGTORCH_WARM_WAIT, it stops waiting), it starts one more
  process, `python -m klongtorch.kernel spare`. The spare imports all a kernel
  needs, torch included, and waits on its stdin.
- The next launch with the same command and environment (a restart, another notebook)
  sends the spare one line, the kernel's arguments, working directory and environment,
  and the spare becomes that kernel: it binds the ports of the connection file, and its
  first answer needs no import.
- Anything else gets a kernel started cold, as jupyter_client's own provisioner starts
  it. A spare whose environment differs (other than the per-launch JPY_ variables), or
  whose klongtorch or torch files changed since it started (an upgrade), is not used.
- There is one spare at a time, of the last launch's kind: a launch of another kind
  replaces it.
- A spare ends with the process that started it (it reads end-of-file on its stdin), or
  after SPARE_LIFETIME seconds without a launch (KLONGTORCH_WARM_LIFETIME, if set): an
  idle spare holds some 250 MB.

KLONGTORCH_WARM=0 in the server's environment turns spares off. The spare is the kernel's
own process, so interrupts, restarts and shutdowns reach it as they reach any kernel.
"""
import importlib.util
import json
import os
import select
import subprocess
import sys
import threading
import time

SPARE_AFTER = 5.0       # seconds after a launch before its successor's spare starts
SPARE_LIFETIME = 3600   # seconds a spare waits for a launch before it exits (its memory back)
QUIET_WAIT = 60.0       # seconds a spare waits to start for a quiet moment (then starts)
SPARE = "spare"         # python -m klongtorch.kernel spare
_PER_LAUNCH = "JPY_"    # the variables a server sets for each kernel (session name, parent)


# -- the spare's side -------------------------------------------------------------------------

def serve(launch):
    """Run as a spare: import what a kernel needs, wait for the launch's line, then become
    the kernel (launch(argv)). End of input first: the provisioner went away, exit."""
    # the launcher's order: the backend and the allocator's tuning before torch loads
    os.environ.setdefault("MPLBACKEND", "Agg")
    # start-up: these imports are the spare's work, done before any launch needs them
    from klongtorch.runtime import allocator, collector, threads
    allocator.tune()
    collector.pause()
    try:
        import ipykernel.kernelapp  # noqa: F401  start-up: what a cold kernel imports first
        from klongtorch import interpreter  # noqa: F401  start-up: torch, the slow one
        from . import kernel  # noqa: F401  start-up: the kernel class
    except (ImportError, OSError):  # a broken install: no spare; a cold kernel says why
        return 1
    collector.settle()
    lifetime = float(os.environ.get("KLONGTORCH_WARM_LIFETIME", SPARE_LIFETIME))
    ready, _, _ = select.select([sys.stdin], [], [], lifetime)
    line = sys.stdin.readline() if ready else ""
    if not line:
        return 0                    # no launch came for it, or its launcher went
    job = json.loads(line)
    os.chdir(job["cwd"])
    if sys.path and sys.path[0] == job["spare_cwd"]:
        sys.path[0] = os.getcwd()                   # python -m put the start directory first
    os.environ.clear()
    os.environ.update(job["env"])
    threads.apply()                 # what `import klongtorch` added, as a cold kernel has it
    sys.argv[1:] = job["argv"]
    devnull = os.open(os.devnull, os.O_RDONLY)      # the kernel's stdin, as the launcher
    os.dup2(devnull, 0)                             # leaves it: closed to the kernel
    os.close(devnull)
    return launch(job["argv"])


# -- the provisioner's side -------------------------------------------------------------------

def enabled(environ=None):
    """Spares are on unless KLONGTORCH_WARM=0 (and on POSIX only: Windows kernels are
    interrupted through an event their launcher makes for each one)."""
    environ = os.environ if environ is None else environ
    return sys.platform != "win32" and environ.get("KLONGTORCH_WARM", "1") != "0"


def spare_command(cmd):
    """The spare's command for a kernel command (python [options] -m klongtorch.kernel
    ARGS...), and the ARGS the spare is given later; None for any other command."""
    try:
        at = cmd.index("klongtorch.kernel")
    except ValueError:
        return None
    if at < 2 or cmd[at - 1] != "-m":
        return None
    return cmd[:at + 1] + [SPARE], cmd[at + 1:]


def fingerprint():
    """When klongtorch's source files, or torch's version, last changed: a spare started
    before an upgrade (or, working on klongtorch, before an edit) would run the old code.
    Some 200 files: a millisecond. (Found, not imported: the launching process, a Jupyter
    server, has no use for torch.)"""
    roots = [_package_dir("klongtorch"), os.path.dirname(os.path.abspath(__file__))]
    newest = 0.0
    for root in filter(None, roots):
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = [d for d in subfolders if d != "__pycache__"]
            for name in files:
                if name.endswith(".py"):
                    newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
    torch_dir = _package_dir("torch")
    if torch_dir:
        newest = max(newest, os.stat(os.path.join(torch_dir, "version.py")).st_mtime)
    return newest


def _package_dir(name):
    spec = importlib.util.find_spec(name)
    return os.path.dirname(spec.origin) if spec and spec.origin else None


def _match_key(spare_cmd, env):
    """What a spare must share with the launch it serves: its command and environment. (Not
    its working directory, which serve() changes, mending sys.path.)"""
    lasting = tuple(sorted((k, v) for k, v in (env or os.environ).items()
                           if not k.startswith(_PER_LAUNCH)))
    return tuple(spare_cmd), lasting


class Spare:
    """One spare process, and what it was started with."""

    def __init__(self, spare_cmd, popen_kwargs):
        from jupyter_client.launcher import launch_kernel  # optional: the kernel extra
        self.cwd = os.path.abspath(str(popen_kwargs.get("cwd") or os.getcwd()))
        self.stamp = fingerprint()
        kwargs = dict(popen_kwargs, cwd=self.cwd)
        kwargs.pop("stdin", None)
        self.process = launch_kernel(spare_cmd, stdin=subprocess.PIPE, **kwargs)

    def alive(self):
        return self.process.poll() is None

    def hand_over(self, argv, popen_kwargs):
        """Make the spare the kernel; False where it had died."""
        env = dict(popen_kwargs.get("env") or os.environ)
        if not popen_kwargs.get("independent"):
            env["JPY_PARENT_PID"] = str(os.getpid())    # as the launcher sets it: the kernel
        job = {"argv": argv, "env": env,                # ends when its launcher does
               "cwd": str(popen_kwargs.get("cwd") or os.getcwd()), "spare_cwd": self.cwd}
        try:
            self.process.stdin.write((json.dumps(job) + "\n").encode())
            self.process.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def discard(self):
        try:
            self.process.stdin.close()          # the spare reads end-of-file and exits
        except (OSError, ValueError):
            pass


class Spares:
    """The spare of this process, by its command and environment (one at a time)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_key = {}

    def take(self, spare_cmd, env):
        """The spare for this launch, taken out of the pool, or None."""
        key = _match_key(spare_cmd, env)
        with self.lock:
            spare = self.by_key.pop(key, None)
        if spare is None:
            return None
        if not spare.alive() or spare.stamp != fingerprint():
            spare.discard()
            return None
        return spare

    def replenish_later(self, spare_cmd, popen_kwargs):
        """Start a spare for the next launch like this one, SPARE_AFTER seconds from now,
        at the first quiet moment."""
        popen_kwargs = dict(popen_kwargs, env=dict(popen_kwargs.get("env") or os.environ))
        timer = threading.Timer(SPARE_AFTER, self._replenish, (spare_cmd, popen_kwargs))
        timer.daemon = True
        timer.start()

    def _replenish(self, spare_cmd, popen_kwargs):
        # the spare's imports take a core for a second or more: not while the kernels, or
        # anything else, use every core, for up to KLONGTORCH_WARM_WAIT seconds
        env = popen_kwargs["env"]
        deadline = time.monotonic() + float(env.get("KLONGTORCH_WARM_WAIT", QUIET_WAIT))
        while time.monotonic() < deadline and not quiet():
            time.sleep(0.5)
        key = _match_key(spare_cmd, env)
        with self.lock:
            old = self.by_key.get(key)
            if old is not None and old.alive():
                return
            # one spare at a time: the last launch's kind is the likeliest next, and a
            # launcher whose environment changes with every launch must not pile up spares
            for other in self.by_key.values():
                other.discard()
            self.by_key.clear()
            try:
                self.by_key[key] = Spare(spare_cmd, popen_kwargs)
            except OSError:
                pass                    # no spare: the next launch starts cold


SPARES = Spares()


def quiet(window=0.5):
    """Whether nearly a core stayed idle over the next `window` seconds (Linux's
    /proc/stat); True where that cannot be read."""
    try:
        idle0, total0 = _cpu_times()
        time.sleep(window)
        idle1, total1 = _cpu_times()
    except (OSError, ValueError, IndexError):
        return True
    idle_cores = (idle1 - idle0) / max(total1 - total0, 1) * (os.cpu_count() or 1)
    return idle_cores >= 0.9


def _cpu_times():
    """(idle, total) jiffies of all cores: /proc/stat's first line (idle and iowait)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return values[3] + values[4], sum(values)


def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner  # optional: the kernel extra

    class WarmProvisioner(LocalProvisioner):
        """jupyter_client's local provisioner, which hands a launch to a spare when one
        matches (see the module docstring)."""

        async def launch_kernel(self, cmd, **kwargs):
            split = spare_command(cmd) if enabled(kwargs.get("env")) else None
            if split is None:
                return await super().launch_kernel(cmd, **kwargs)
            spare_cmd, argv = split
            popen_kwargs = LocalProvisioner._scrub_kwargs(kwargs)
            spare = SPARES.take(spare_cmd, popen_kwargs.get("env"))
            SPARES.replenish_later(spare_cmd, popen_kwargs)
            if spare is None or not spare.hand_over(argv, popen_kwargs):
                return await super().launch_kernel(cmd, **kwargs)
            self.process = spare.process
            self.pid = spare.process.pid
            try:
                self.pgid = os.getpgid(self.pid)
            except OSError:
                self.pgid = None
            self.cwd = kwargs.get("cwd", os.getcwd())
            return self.connection_info

    return WarmProvisioner


def __getattr__(name):
    # WarmProvisioner is made on first use: jupyter_client (the kernel extra) is imported
    # only by the process that launches kernels, never by the spare or the kernel
    if name == "WarmProvisioner":
        cls = globals()["WarmProvisioner"] = _provisioner_class()
        return cls
    raise AttributeError(name)


__all__ = ["serve", "SPARES", "SPARE_AFTER", "enabled", "spare_command", "fingerprint"]
