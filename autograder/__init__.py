"""Course tooling on top of nbgrader: the broken-code convention, the build, the grading config."""
