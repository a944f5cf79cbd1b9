"""``python -m qhybrid_lab.cli``: the same as the ``qhybrid`` console script."""

from __future__ import annotations

import sys

from . import main

sys.exit(main())
