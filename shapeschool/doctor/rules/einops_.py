"""einops patterns whose axis names do not match the tensor (named einops_ so that the module
does not shadow the einops package)."""
import re


from ..summaries import shape_text
from .base import Diagnosis, ints, message


@message(r"Input tensor shape: torch\.Size\(\[([\d, ]*)\]\)\. Additional info: \{(.*?)\}\.\s*Shape mismatch, (\d+) != (\d+)")
def einops_sizes(ctx, m):
    shape, named, got, said = ints(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
    pattern = re.search(r'pattern "([^"]*)"', ctx.message)
    left = pattern.group(1).split("->")[0].split() if pattern else []
    axis = shape.index(got) if got in shape else None
    name = left[axis] if axis is not None and axis < len(left) else "an axis"
    return Diagnosis(
        "einops_order", f"the pattern's left side ({' '.join(left)}) calls axis {axis} '{name}', and you said "
        f"{named}, but the tensor {shape_text(shape)} has {got} there", "write the left side in the tensor's "
        "own axis order (seq-first outputs are 't b h')", "layouts", True, (said, got))
