"""``python -m routing.synthetic``: regenerate the synthetic stand-in (see ``routing.synthetic``)."""

import sys

from routing.synthetic.cli import main

sys.exit(main())
