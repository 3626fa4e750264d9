"""Is the ``autograd`` folder glassgrad's own? A check run once at ``import autograd``.

Another package on PyPI, HIPS ``autograd`` (``pip install autograd``), uses the same import name. pip
installs both into one ``site-packages/autograd/`` folder without a word (``pip check`` sees nothing):
the one installed last overwrites ``__init__.py``, and the other's modules lie beside glassgrad's. After
that ``from autograd import Value`` fails or glassgrad runs with a stranger's files, and uninstalling
either package deletes files of the other.

Importing this module checks the folder of the ``autograd`` package being imported: glassgrad's
``autograd/__init__.py`` imports it first of all, and so do the command line and ``nn`` (which still run
when HIPS autograd's ``__init__.py`` has replaced glassgrad's, or an editable install of glassgrad is
shadowed by HIPS autograd in ``site-packages``). :func:`check_package_folder` looks for the files only
HIPS autograd has (one directory listing, standard library only) and raises
:class:`ForeignPackageError`, an ``ImportError`` that says what happened and how to repair the
environment.

>>> import os
>>> import autograd
>>> check_package_folder(os.path.dirname(autograd.__file__))  # glassgrad's own folder: nothing to say
"""

from __future__ import annotations

import os
import sys

__all__ = ["HIPS_AUTOGRAD_ENTRIES", "ForeignPackageError", "check_package_folder", "foreign_entries"]

#: The top-level files and folders of HIPS autograd's package (1.x) that glassgrad does not have.
#: (Both have ``__init__.py``; glassgrad's ``core`` is a folder where HIPS has ``core.py``.)
HIPS_AUTOGRAD_ENTRIES = frozenset(
    {
        "builtins.py",
        "core.py",
        "differential_operators.py",
        "extend.py",
        "misc",
        "numpy",
        "scipy",
        "test_util.py",
        "tracer.py",
        "util.py",
        "wrap_util.py",
    }
)


class ForeignPackageError(ImportError):
    """The ``autograd`` folder holds another package's files (HIPS autograd's), so glassgrad cannot work.

    An ``ImportError``, so ``import autograd`` fails with it, and code that tries an import catches it:

    >>> issubclass(ForeignPackageError, ImportError)
    True
    """


def foreign_entries(folder: str | os.PathLike[str]) -> list[str]:
    """The names in ``folder`` that belong to HIPS autograd, sorted.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "tracer.py").write_text("")
    ...     foreign_entries(folder)
    ['tracer.py']
    """
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(HIPS_AUTOGRAD_ENTRIES.intersection(names))


def check_package_folder(folder: str | os.PathLike[str]) -> None:
    """Raise :class:`ForeignPackageError` if ``folder`` (the ``autograd`` package) holds HIPS autograd's files.

    The message names the folder and what was found, and gives the repair: keep HIPS autograd in a
    separate virtual environment, ``pip uninstall autograd glassgrad``, then reinstall glassgrad.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     (Path(folder) / "numpy").mkdir()  # HIPS autograd's autograd/numpy/
    ...     try:
    ...         check_package_folder(folder)
    ...     except ForeignPackageError as error:
    ...         print("pip uninstall autograd glassgrad" in str(error))
    True
    """
    found = foreign_entries(folder)
    if not found:
        return
    shown = ", ".join(found[:6]) + (f" and {len(found) - 6} more" if len(found) > 6 else "")
    raise ForeignPackageError(
        f"The package folder that 'import autograd' uses, {str(folder)!r}, holds files of another package "
        f"named 'autograd' (HIPS autograd: {shown}). glassgrad's engine and HIPS autograd share the import "
        "name 'autograd': installed into one environment, one overwrites or shadows the other, and neither "
        "works as installed (pip check does not see this). "
        "To repair this environment: pip uninstall autograd glassgrad, then reinstall glassgrad "
        '(pip install glassgrad, or pip install -e ".[...]" in its checkout). '
        "If you need HIPS autograd too, install it in a separate virtual environment."
    )


# The package this module is imported from is always in sys.modules first; its __file__ names the folder
# that `import autograd` really uses (glassgrad's, or HIPS autograd's when that one shadows glassgrad).
check_package_folder(os.path.dirname(sys.modules[__package__].__file__ or __file__))
