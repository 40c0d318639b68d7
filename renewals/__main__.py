"""`python -m renewals`: the command line (renewals.cli.main)."""

import sys

from renewals.cli.main import main

sys.exit(main())
