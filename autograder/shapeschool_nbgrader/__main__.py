"""``python -m shapeschool_nbgrader``: rebuild exercises/ and solutions/ from course/ (``build``)."""
import sys

from .build import main

sys.exit(main())
