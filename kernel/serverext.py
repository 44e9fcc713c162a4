"""Warm from the first launch: a Jupyter server extension that starts a spare kernel when
the server starts, so that the first Klong notebook opened answers as fast as later ones.

The warm provisioner (warm.py) starts a spare after each launch, for the next one: the first
kernel of a server started cold, 0.92 s from launch to the first answer on two cores, where
a warm one answers in 0.4 s. A person opens a notebook seconds after the server starts, time
enough for the spare's imports. So at start this extension asks for a spare the way a launch
does (warm.SPARES.replenish_later: after SPARE_AFTER seconds, at a quiet moment), of the
kind the next launch of the `klong` kernelspec will want: its command, and the environment
jupyter_client will give it (launch_environment). A launch that finds it takes it; one whose
environment turned out otherwise starts cold and replaces it, as any launch of another kind.

`install` enables it wherever it names the warm provisioner in the kernelspec (--sys-prefix,
the default in a virtualenv, or --warm), by a file in that place's jupyter_server_config.d
(install.server_config_dir). It does nothing when the kernelspec is missing or starts cold,
or with KLONGTORCH_WARM=0, and a server that never launches a Klong kernel lets its spare go
after KLONGTORCH_WARM_LIFETIME (an hour): some 250 MB held meanwhile.
"""
import os
from string import Template

from . import warm
from .install import NAME, PROVISIONER


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp):
    plan = spare_plan(serverapp.kernel_spec_manager, serverapp.root_dir)
    if plan is None:
        return
    spare_cmd, popen_kwargs = plan
    warm.SPARES.replenish_later(spare_cmd, popen_kwargs)
    serverapp.log.info("klongtorch: a warm Klong kernel will be ready in a few seconds")


def spare_plan(kernel_spec_manager, cwd, environ=None):
    """(the spare's command, its Popen arguments) for the next launch of the klong
    kernelspec, or None where that launch would not look for a spare."""
    environ = os.environ if environ is None else environ
    if not warm.enabled(environ):
        return None
    try:
        spec = kernel_spec_manager.get_kernel_spec(NAME)
    except (KeyError, OSError, ValueError):     # NoSuchKernel (a KeyError), an unreadable
        return None                             # or malformed kernel.json
    named = (spec.metadata or {}).get("kernel_provisioner", {}).get("provisioner_name")
    split = warm.spare_command(list(spec.argv)) if named == PROVISIONER else None
    if split is None:
        return None
    return split[0], {"env": launch_environment(spec.env, environ), "cwd": cwd}


def launch_environment(spec_env, environ):
    """The environment jupyter_client gives a kernel of this spec, but for the per-launch
    JPY_ variables (which a spare need not match): the server's, with the kernelspec's env
    on top, each value's $NAME filled in from the server's (KernelProvisionerBase.pre_launch)."""
    env = dict(environ)
    env.update({k: Template(v).safe_substitute(environ) for k, v in (spec_env or {}).items()})
    return env


__all__ = ["spare_plan", "launch_environment"]
