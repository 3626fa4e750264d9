"""``python -m autograd``: the ``glassgrad`` command line (:mod:`autograd.cli`)."""

import sys

from autograd.cli import main

if __name__ == "__main__":
    sys.exit(main())
