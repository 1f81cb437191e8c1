"""A generic explorer: controls in, a pipeline run for real, its diagram and shapes out.

Works with ipywidgets 7 (Colab) and 8: it uses only IntSlider, Checkbox, Output, HTML,
VBox/HBox and ``observe(..., names="value")``, which both versions share.
"""
import html

import ipywidgets as widgets

from .diagrams import draw_flow, show


def stages_table(stages):
    """An HTML table of flows.Stage objects: name, shape, axes."""
    rows = "".join(
        f"<tr><td>{html.escape(s.name)}</td><td><code>{tuple(s.shape)}</code></td>"
        f"<td>{html.escape(', '.join(s.axes))}</td></tr>"
        for s in stages
    )
    return f"<table><tr><th>tensor</th><th>shape</th><th>axes</th></tr>{rows}</table>"


class Explorer:
    """Controls that re-run ``flow`` on every change and redraw what it returned.

    ``controls`` maps a keyword of ``flow`` to ``(low, high, start)`` for an integer slider
    or to a bool for a checkbox. ``draw(result, title=...)`` makes the picture and
    ``describe(result)`` the HTML above it; by default the result is a list of flows.Stage.
    ``last_result`` and ``last_error`` hold what the latest run produced,
    so the behaviour can be tested without a browser.
    """

    def __init__(self, flow, controls, title=None, draw=draw_flow, describe=stages_table):
        if not controls:
            raise ValueError("Explorer needs at least one control")
        self.flow = flow
        self.title = title
        self.draw = draw
        self.describe = describe
        self.controls = {}
        for name, spec in controls.items():
            look = {"layout": widgets.Layout(width="32%"), "style": {"description_width": "initial"}}
            if isinstance(spec, bool):
                control = widgets.Checkbox(value=spec, description=name, indent=False, **look)
            elif isinstance(spec, tuple) and len(spec) == 3:
                low, high, start = spec
                control = widgets.IntSlider(value=start, min=low, max=high, description=name,
                                            continuous_update=False, **look)
            else:
                raise ValueError(
                    f"control {name!r}: give (low, high, start) for a slider or True/False "
                    f"for a checkbox, not {spec!r}"
                )
            control.observe(self._on_change, names="value")
            self.controls[name] = control
        self.table = widgets.HTML()
        self.output = widgets.Output()
        self.last_result = []
        self.last_error = None
        made = list(self.controls.values())
        rows = [widgets.HBox(made[i:i + 3]) for i in range(0, len(made), 3)]   # three to a row
        self.widget = widgets.VBox(rows + [self.table, self.output])
        self.render()

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, _change):
        self.render()

    def render(self):
        """Run the flow with the current values and update the table and the picture."""
        try:
            self.last_result = self.flow(**self.values())
            self.last_error = None
        except Exception as exc:  # noqa: BLE001 - shown to the learner, not swallowed
            self.last_result = []
            self.last_error = f"{type(exc).__name__}: {exc}"
            self.table.value = f"<pre>{html.escape(self.last_error)}</pre>"
            self.output.clear_output()
            return
        self.table.value = self.describe(self.last_result)
        fig = self.draw(self.last_result, title=self.title)
        self.output.clear_output(wait=True)
        with self.output:
            show(fig)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
