"""python -m klongtorch.kernel: launch the kernel, or install its kernelspec.

    python -m klongtorch.kernel install [--user | --sys-prefix | --prefix DIR]
    python -m klongtorch.kernel uninstall
    python -m klongtorch.kernel run NOTEBOOK [--save OUT]   run a notebook, print it
    python -m klongtorch.kernel -f CONNECTION_FILE          (what Jupyter runs)
"""
import os
import sys


def launch(argv):
    # figures are drawn off-screen and sent as PNGs; a GUI backend would open windows
    os.environ.setdefault("MPLBACKEND", "Agg")
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import KlongKernel
    IPKernelApp.launch_instance(argv=argv, kernel_class=KlongKernel)
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["install"]:
        from .install import main as install
        return install(argv[1:])
    if argv[:1] == ["run"]:
        from .run import main as run
        return run(argv[1:])
    if argv[:1] == ["uninstall"]:
        from .install import uninstall
        print(f"Removed {uninstall()}")
        return 0
    return launch(argv)


if __name__ == "__main__":
    sys.exit(main())
