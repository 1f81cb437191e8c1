"""The Shape School class grader: ``shapeschool-grade`` (``app``).

A run (``scheduler``) selects the submissions that need grading (``work``, ``journal``,
``shards``, ``claims``), repairs and stages each one (``intake``, ``inbox``), lets nbgrader
sanitize and score it (``nbgrader_steps``), and runs it in between in sandboxed kernels forked
from warm servers (``pool``, ``kernels``, ``zygote``, ``sandbox``, ``cgroups``), its checks
in a check kernel apart from the student's code (``split``, ``calls``). ``report`` writes what
the instructor reads; ``benchmark`` measures it against plain ``nbgrader autograde``.
"""
