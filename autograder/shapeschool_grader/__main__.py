"""``python -m shapeschool_grader``: the same as the ``shapeschool-grade`` command."""
import sys

from .cli import main

sys.exit(main())
