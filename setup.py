"""The metadata is in setup.cfg; this file only lets editable installs carry data files.

setuptools' editable wheels install data files only if the distribution has a has_data()
(editable_wheel._run_install asks for has_<category>, and distutils names it
has_data_files), so `pip install -e .` would leave out the JupyterLab extension, which
must lie in share/jupyter/labextensions for JupyterLab to find it.
"""
from setuptools import setup
from setuptools.dist import Distribution


class KlongtorchDistribution(Distribution):
    def has_data(self):
        return self.has_data_files()


setup(distclass=KlongtorchDistribution)
