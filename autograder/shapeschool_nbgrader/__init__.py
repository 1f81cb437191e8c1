"""The Shape School course as nbgrader sees it.

- ``config``: the course's nbgrader configuration (``configure(c)`` in a course's nbgrader_config.py);
- ``markers`` and ``preprocessors``: the one-source convention (solution, broken and hidden-test
  regions) and the nbgrader preprocessors that apply it;
- ``launch``: the Colab/Binder cells every released notebook starts with;
- ``build`` (``python -m shapeschool_nbgrader``): course/ -> exercises/ and solutions/, through
  nbgrader's own generate_assignment.
"""
