"""``python -m sim``: the ``neuromod`` command line (the same as the console script)."""
import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
