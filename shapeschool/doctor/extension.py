"""``%load_ext shapeschool``: the doctor on for the whole IPython session, its table shown under
the traceback of a cell that fails; ``%unload_ext shapeschool`` turns it off."""
from . import explain, forget, show, start, stop


def _after_cell(result):
    error = getattr(result, "error_in_exec", None)
    if isinstance(error, Exception):
        try:
            show(explain(error))     # made already when it left torch; otherwise only if a module explains it
        except Exception:            # the learner's own error matters more than the doctor's
            pass


def _before_cell(info=None):
    forget()


def load(ipython):
    start()
    ipython.events.register("pre_run_cell", _before_cell)
    ipython.events.register("post_run_cell", _after_cell)
    print("shapeschool.doctor is on for this session: a shape error now says where it happened, what "
          "flowed in, the cause and the fix (%unload_ext shapeschool turns it off)")


def unload(ipython):
    for event, callback in (("pre_run_cell", _before_cell), ("post_run_cell", _after_cell)):
        try:
            ipython.events.unregister(event, callback)
        except ValueError:
            pass
    stop()
