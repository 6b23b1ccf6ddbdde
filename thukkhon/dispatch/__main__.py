"""``python -m thukkhon.dispatch ...``: see :mod:`thukkhon.dispatch.cli`."""

import sys

from thukkhon.dispatch.cli import main

sys.exit(main(sys.argv[1:]))
