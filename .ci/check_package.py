"""Check the package as PyPI would get it: build the sdist, build the wheel from the sdist (as
pip does), and check that

- the wheel holds the package only (klongtorch, klongtorch.kernel, klongtorch.magics, the
  JupyterLab extension's data files and the metadata), and its metadata is complete;
- the sdist holds what its tests need (tests/ with conftest.py, tests/language/ and the
  helpers, examples/, notebooks/), and the LICENSE;
- the wheel, installed into a fresh virtual environment and run from another directory,
  imports from there, answers --version without importing torch, evaluates Klong, and
  runs the self-check's language sample and autograd examples (its case file is in the wheel);
- tests from the unpacked sdist pass against the installed wheel.

The environment sees the packages of the Python that runs this check, so torch and the test
tools need no download. `venv --system-site-packages` would not do: inside a virtualenv it
shows the *base* interpreter's packages, not the virtualenv's (torch missing there, the
check failing in a fresh virtualenv). So the environment is made without them and a .pth
file in its site-packages adds the running Python's site directories after its own: the
installed wheel comes first, any editable klongtorch of the running environment after it.
The check that klongtorch comes from the environment keeps that honest, and the sdist's
tests run with the sdist's own sources removed, so they can import only the wheel.
Run: python .ci/check_package.py (what .ci/run does); exit status 0 when all hold.
"""
import email
import os
import shutil
import site
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME, VERSION = "klongtorch", "0.1.0"

# what the wheel may hold: the package and its metadata, and the lab extension's data files
WHEEL_ALLOWED = (f"{NAME}/", f"{NAME}-{VERSION}.dist-info/",
                 f"{NAME}-{VERSION}.data/data/share/jupyter/labextensions/{NAME}/")
WHEEL_NEEDS = (f"{NAME}/__init__.py", f"{NAME}/shell/cli.py", f"{NAME}/kernel/__main__.py",
               f"{NAME}/selfcheck.py", f"{NAME}/selfcheck_cases.txt",
               f"{NAME}/kernel/resources/logo-64x64.png", f"{NAME}/magics/__init__.py",
               f"{NAME}-{VERSION}.dist-info/entry_points.txt",
               # every layer package (setup.cfg's packages must name each)
               *(f"{NAME}/{layer}/__init__.py" for layer in
                 ("runtime", "value", "display", "parse", "verbs", "autograd", "engine", "ext",
                  "shell")))
SDIST_NEEDS = ("LICENSE", "README.md", "ARCHITECTURE.md", "setup.cfg", "pyproject.toml",
               "MANIFEST.in",
               "tests/conftest.py", "tests/kernel_support.py", "tests/language/__init__.py",
               "tests/test_conformance.py", "examples/gradient-descent.kg",
               "notebooks/01-klong-tour.ipynb", "notebooks/run_all.py")
METADATA_NEEDS = ("Summary", "Requires-Python", "Description-Content-Type",
                  "Classifier", "Project-URL", "Author")
# fast tests that run from the unpacked sdist (the conformance file runs its runner on a
# sample: there is no ../shared beside the sdist)
SDIST_TESTS = ("tests/test_conformance.py", "tests/language/test_errors.py",
               "tests/test_readme.py::test_a_sample_session_is_split_into_inputs_and_answers")

problems = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        problems.append(what)


def run(args, **kw):
    """Run a command; PYTHONPATH is dropped (a checkout on it would shadow the wheel)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(args, capture_output=True, text=True, env=env, **kw)


def site_dirs():
    """The running Python's site directories: its site-packages (a virtualenv's own, or the
    base's), and the user's when this Python reads it."""
    dirs = site.getsitepackages()
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dirs if os.path.isdir(d)]


def environment(env_dir):
    """A fresh virtual environment at env_dir that sees the running Python's packages; its
    python, or None when it could not be made. addsitedir in the .pth reads the running
    environment's own .pth files too, as --system-site-packages would for the base's; the
    directories it adds come after the environment's site-packages, so what is installed
    there wins."""
    python = os.path.join(env_dir, "bin", "python")
    done = run([sys.executable, "-m", "venv", "--without-pip", env_dir])
    if not done.returncode:         # where the environment's own packages go
        done = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    if done.returncode:
        print(done.stderr)
        return None
    lines = "".join(f"import site; site.addsitedir({d!r})\n" for d in site_dirs())
    with open(os.path.join(done.stdout.strip(), "_running_environment.pth"), "w") as f:
        f.write(lines)
    return python


def build(tmp):
    """(sdist, wheel) paths: the sdist from the checkout, the wheel from the unpacked sdist."""
    dist = os.path.join(tmp, "dist")
    backend = ("import sys; from setuptools import build_meta as b; "
               "print(getattr(b, sys.argv[1])(sys.argv[2]))")
    done = run([sys.executable, "-c", backend, "build_sdist", dist], cwd=ROOT)
    if done.returncode:
        sys.exit(f"building the sdist failed:\n{done.stderr}")
    sdist = os.path.join(dist, done.stdout.strip().splitlines()[-1])
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp, filter="data") if hasattr(tarfile, "data_filter") else \
            tar.extractall(tmp)
    unpacked = os.path.join(tmp, f"{NAME}-{VERSION}")
    done = run([sys.executable, "-c", backend, "build_wheel", dist], cwd=unpacked)
    if done.returncode:
        sys.exit(f"building the wheel from the sdist failed:\n{done.stderr}")
    return sdist, os.path.join(dist, done.stdout.strip().splitlines()[-1]), unpacked


def check_wheel(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = email.message_from_bytes(z.read(f"{NAME}-{VERSION}.dist-info/METADATA"))
    strays = [n for n in names if not n.startswith(WHEEL_ALLOWED)]
    check(not strays, f"the wheel holds only the package ({len(names)} files)"
          + (f"; also: {strays[:5]}" if strays else ""))
    missing = [n for n in WHEEL_NEEDS if n not in names]
    check(not missing, "the wheel has the kernel, the magics, the logos, the self-check's "
          "cases and the entry points"
          + (f"; missing: {missing}" if missing else ""))
    check(not any("__pycache__" in n or "/tests/" in n for n in names),
          "no caches or tests in the wheel")
    absent = [k for k in METADATA_NEEDS if not meta.get_all(k)]
    check(not absent, "metadata: " + ", ".join(METADATA_NEEDS)
          + (f"; missing: {absent}" if absent else ""))
    check("klongtorch" in (meta.get_payload() or "")
          and "MIT" in (meta.get("License-Expression"), meta.get("License")),
          "the README is the long description; the license is MIT")


def check_sdist(sdist):
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    missing = [n for n in SDIST_NEEDS if n not in names]
    check(not missing, "the sdist has LICENSE, the tests with their helpers, examples, notebooks"
          + (f"; missing: {missing}" if missing else ""))
    check(not any("__pycache__" in n or n.endswith(".pyc") for n in names),
          "no caches in the sdist")


def check_installed(tmp, wheel, unpacked):
    env_dir = os.path.join(tmp, "env")
    python = environment(env_dir)
    check(python is not None, "a fresh virtual environment that sees this Python's packages")
    if python is None:
        return
    done = run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                "--disable-pip-version-check", wheel])
    check(done.returncode == 0, "pip installs the wheel" + (f": {done.stderr}"
                                                           if done.returncode else ""))
    elsewhere = os.path.join(tmp, "elsewhere")
    os.makedirs(elsewhere)
    where = run([python, "-c", "import klongtorch, klongtorch.kernel, klongtorch.magics as m;"
                 "print(klongtorch.__file__); print(klongtorch.kernel.__file__)"],
                cwd=elsewhere)
    files = where.stdout.split()
    check(where.returncode == 0 and len(files) == 2
          and all(f.startswith(env_dir) for f in files),
          "klongtorch and klongtorch.kernel import from the environment, not the checkout"
          + (f": {files or where.stderr}" if not files or not files[0].startswith(env_dir)
             else ""))
    script = os.path.join(env_dir, "bin", "klongtorch")
    done = run([script, "-e", "+/1+!10"], cwd=elsewhere)
    check(done.stdout == "55\n", f"the klongtorch command evaluates: {done.stdout.strip()!r}")
    done = run([python, "-c", "import sys, klongtorch.shell.cli as c\n"
                "try: c.main(['--version'])\nexcept SystemExit: pass\n"
                "sys.exit('torch' in sys.modules)"], cwd=elsewhere)
    check(done.returncode == 0 and done.stdout.startswith(f"klongtorch {VERSION}"),
          "--version answers without importing torch")
    # the wheel is built: the sdist's sources go, so that the tests (whose pytest puts the
    # sdist's root on sys.path) can import klongtorch only from the environment
    for source in ("klongtorch", "kernel", "magics"):
        shutil.rmtree(os.path.join(unpacked, source))
    # the self-check's fast parts, which read the case file shipped in the wheel
    done = run([python, "-m", "klongtorch.selfcheck", "--device", "cpu", "--only",
                "language,autograd"], cwd=elsewhere)
    check(done.returncode == 0 and "2 of 2 checks passed" in done.stdout,
          "python -m klongtorch.selfcheck runs its language sample and autograd examples"
          + ("" if done.returncode == 0 else f": {done.stdout[-800:]}{done.stderr[-800:]}"))
    done = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SDIST_TESTS],
               cwd=unpacked)
    tail = done.stdout.strip().splitlines()[-1:] or [done.stderr.strip()]
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-2000:])
    check(done.returncode == 0, f"tests from the sdist pass against the wheel: {tail[0]}")


def main():
    with tempfile.TemporaryDirectory(prefix="klongtorch-package-") as tmp:
        sdist, wheel, unpacked = build(tmp)
        print(f"built {os.path.basename(sdist)} and {os.path.basename(wheel)}")
        check_wheel(wheel)
        check_sdist(sdist)
        check_installed(tmp, wheel, unpacked)
    if problems:
        print(f"{len(problems)} problem(s) with the package")
        return 1
    print("the package is ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
