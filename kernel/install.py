"""Installing the kernelspec: python -m klongtorch.kernel install [--user | --sys-prefix |
--prefix DIR].

The kernelspec is named `klong` and shows as "Klong (torch)". It runs the Python that
installed it (`python -m klongtorch.kernel -f {connection_file}`), asks for interrupts by
SIGINT (interrupt_mode "signal", see interrupts.py), and carries the logos in resources/.

Where it goes: --user (~/.local/share/jupyter), --sys-prefix (this Python's environment),
--prefix DIR (DIR/share/jupyter), or Jupyter's system-wide directory with none of them.
Without any option, inside a virtual environment it goes to --sys-prefix, else to --user:
the places that need no administrator.
"""
import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from contextlib import contextmanager

from jupyter_client.kernelspec import KernelSpecManager

NAME = "klong"
DISPLAY_NAME = "Klong (torch)"
RESOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resources")
LOGOS = ("logo-32x32.png", "logo-64x64.png", "logo-svg.svg")
# as ipykernel's own spec: with CPython's frozen stdlib modules, ipykernel's debugger (debugpy)
# warns at every start that imports it ("It seems that frozen modules are being used"); this
# kernel does not offer the debugger, but a user's startup code may still import it
PYTHON_ARGUMENTS = (["-Xfrozen_modules=off"] if platform.python_implementation() == "CPython"
                    else [])


# jupyter_client's name for the provisioner of warm kernels (warm.py), from setup.cfg
PROVISIONER = "klong-warm"
# the server extension that readies a spare for a server's first launch (serverext.py), and
# the file in a jupyter_server_config.d that enables it
SERVER_EXTENSION = "klongtorch.kernel.serverext"
SERVER_CONFIG = "klongtorch.json"


def kernel_json(python=None, warm=False):
    """The kernelspec's kernel.json. With warm, it names the warm provisioner (warm.py),
    where this installation registered it (pip installed the package)."""
    metadata = {"debugger": False}
    if warm and _provisioner_registered():
        metadata["kernel_provisioner"] = {"provisioner_name": PROVISIONER}
    return {
        "argv": [python or sys.executable, *PYTHON_ARGUMENTS, "-m", "klongtorch.kernel",
                 "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "klong",
        "interrupt_mode": "signal",
        "env": {},
        "metadata": metadata,
    }


def _provisioner_registered():
    from importlib.metadata import entry_points  # start-up: only install asks
    try:
        found = entry_points(group="jupyter_client.kernel_provisioners")
    except TypeError:                   # Python 3.9: a dict of groups
        found = entry_points().get("jupyter_client.kernel_provisioners", ())
    return any(e.name == PROVISIONER and e.value.startswith("klongtorch.") for e in found)


def in_virtualenv():
    return sys.prefix != getattr(sys, "base_prefix", sys.prefix) or "CONDA_PREFIX" in os.environ


def install(user=False, prefix=None, sys_prefix=False, python=None, warm=None):
    """Install the kernelspec; returns the directory it went to. warm None: name the warm
    provisioner only in this Python's own environment (warm_by_default)."""
    if sys_prefix:
        prefix = sys.prefix
    if warm is None:
        warm = warm_by_default(prefix)
    with tempfile.TemporaryDirectory() as spec:
        with open(os.path.join(spec, "kernel.json"), "w", encoding="utf-8") as f:
            json.dump(kernel_json(python, warm), f, indent=2)
        for logo in LOGOS:
            shutil.copy(os.path.join(RESOURCES, logo), spec)
        # readable by everyone, as ipykernel's spec is: a temporary directory is 0700, and
        # the copy Jupyter makes keeps its mode, which would hide a shared install
        os.chmod(spec, 0o755)
        for name in os.listdir(spec):
            os.chmod(os.path.join(spec, name), 0o644)
        # an earlier installation is replaced
        path = KernelSpecManager().install_kernel_spec(spec, NAME, user=user, prefix=prefix)
    # the server extension that readies a spare for a server's first launch, where the
    # spec names the warm provisioner (serverext.py); else none, an earlier one removed
    config = server_config_dir(prefix, user)
    if warm and _provisioner_registered():
        enable_server_extension(config)
    else:
        disable_server_extension(config)
    return path


def warm_by_default(prefix):
    """Whether a spec installed at prefix names the warm provisioner unless told: only in
    this Python's environment. jupyter_client hides a spec whose provisioner the server's
    own environment lacks (NoSuchKernel), and only a server of this environment is sure to
    have klongtorch; a --user or system-wide spec may be read by a Jupyter of another."""
    return prefix is not None and os.path.realpath(prefix) == os.path.realpath(sys.prefix)


def uninstall():
    """Remove the kernelspec (wherever Jupyter finds it first), and the server extension's
    file beside it; returns the kernelspec's directory."""
    path = KernelSpecManager().remove_kernel_spec(NAME)
    config = _config_dir_of(path)
    if config is not None:
        disable_server_extension(config)
    return path


def _config_dir_of(spec_dir):
    """The jupyter_server_config.d that install used with a kernelspec in spec_dir: the
    user's (in the user's data directory), or PREFIX's (PREFIX/share/jupyter/kernels/klong);
    None for anywhere else."""
    from jupyter_core.paths import jupyter_data_dir  # start-up: only uninstall asks
    spec_dir = os.path.realpath(spec_dir)
    kernels = os.path.dirname(spec_dir)
    if kernels == os.path.realpath(os.path.join(jupyter_data_dir(), "kernels")):
        return server_config_dir(user=True)
    parts = kernels.split(os.sep)
    if parts[-3:] == ["share", "jupyter", "kernels"]:
        return server_config_dir(prefix=os.sep.join(parts[:-3]) or os.sep)
    return None


def server_config_dir(prefix=None, user=False):
    """The jupyter_server_config.d that a server of that installation reads: PREFIX's
    etc/jupyter (--prefix, --sys-prefix), the user's Jupyter config directory (--user), or
    the first system-wide one."""
    from jupyter_core import paths  # start-up: only install asks
    if prefix is not None:
        base = os.path.join(prefix, "etc", "jupyter")
    elif user:
        base = paths.jupyter_config_dir()
    else:
        base = paths.SYSTEM_CONFIG_PATH[0]
    return os.path.join(base, "jupyter_server_config.d")


def enable_server_extension(config_dir):
    """Write the file that enables the server extension; returns its path."""
    os.makedirs(config_dir, exist_ok=True)
    path = os.path.join(config_dir, SERVER_CONFIG)
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"ServerApp": {"jpserver_extensions": {SERVER_EXTENSION: True}}}, f,
                  indent=2)
        f.write("\n")
    return path


def disable_server_extension(config_dir):
    """Remove that file, if there; True if it was."""
    try:
        os.remove(os.path.join(config_dir, SERVER_CONFIG))
    except FileNotFoundError:
        return False
    return True


def make_parser():
    p = argparse.ArgumentParser(prog="python -m klongtorch.kernel install",
                                description=f"Install the {DISPLAY_NAME} Jupyter kernelspec.")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true",
                       help="install for this user (~/.local/share/jupyter)")
    where.add_argument("--sys-prefix", action="store_true",
                       help=f"install into this Python's environment ({sys.prefix})")
    where.add_argument("--prefix", metavar="DIR", help="install into DIR/share/jupyter")
    where.add_argument("--system", action="store_true",
                       help="install for all users (may need an administrator)")
    warm = p.add_mutually_exclusive_group()
    warm.add_argument("--warm", action="store_true", default=None,
                      help="start kernels after the first warm, from a spare process with "
                           "torch imported (the default with --sys-prefix; only a Jupyter "
                           "that has klongtorch installed can then start the kernel)")
    warm.add_argument("--no-warm", dest="warm", action="store_false",
                      help="always start kernels cold")
    return p


def main(argv=None):
    """The install command; returns its exit code."""
    args = make_parser().parse_args(argv)
    user, sys_prefix = args.user, args.sys_prefix
    if not (user or sys_prefix or args.prefix or args.system):
        sys_prefix, user = in_virtualenv(), not in_virtualenv()
    try:
        path = install(user=user, prefix=args.prefix, sys_prefix=sys_prefix, warm=args.warm)
    except OSError as e:
        print(f"kg: error: cannot install the kernelspec: {e}", file=sys.stderr)
        return 1
    print(f"Installed the {DISPLAY_NAME} kernelspec ({NAME}) in {path}")
    return 0


@contextmanager
def temporary_kernelspec():
    """Install the kernelspec into a temporary prefix, as `install --prefix TMP --warm`
    does, and put TMP/share/jupyter first on JUPYTER_PATH (which kernel managers read) while
    the block runs: for tests and scripts that must not touch the user's Jupyter folders.
    (Warm: this process, which launches the kernels, has klongtorch.)"""
    with tempfile.TemporaryDirectory(prefix="klong-kernelspec-") as prefix:
        if main(["--prefix", prefix, "--warm"]) != 0:
            raise OSError(f"cannot install the kernelspec into {prefix}")
        saved = os.environ.get("JUPYTER_PATH")
        path = os.path.join(prefix, "share", "jupyter")
        os.environ["JUPYTER_PATH"] = path + (os.pathsep + saved if saved else "")
        try:
            yield path
        finally:
            if saved is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = saved


__all__ = ["install", "uninstall", "kernel_json", "main", "temporary_kernelspec", "NAME",
           "DISPLAY_NAME", "warm_by_default"]
