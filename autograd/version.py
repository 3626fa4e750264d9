"""glassgrad's version, in one place: ``autograd.__version__``, ``nn.__version__``, the package metadata and
``glassgrad --version`` all read it.

>>> __version__.count(".") >= 2
True
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
