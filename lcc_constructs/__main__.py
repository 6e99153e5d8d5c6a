"""``python -m lcc_constructs``: the ``lcc`` command."""

import sys

from .cli import main

sys.exit(main())
