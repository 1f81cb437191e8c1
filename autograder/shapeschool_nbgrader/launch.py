"""Where the course lives, and the cells that open a student notebook on Colab or Binder.

The repository and branch are named here and nowhere else: badges, the Colab set-up cell and
the README's links all derive from these two values.
"""
from urllib.parse import quote

from nbformat.v4 import new_code_cell, new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor

REPOSITORY = "shapeschool/shapeschool"   # GitHub owner/name
BRANCH = "main"

COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def colab_url(path):
    """Colab's address for a notebook at ``path`` (relative to the repository root)."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{path}"


def binder_url(path):
    """Binder's address that builds the repository and opens ``path`` in JupyterLab."""
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?labpath={quote(path, safe='')}"


def badges(path):
    return (f"[![Open In Colab]({COLAB_BADGE})]({colab_url(path)}) "
            f"[![Launch Binder]({BINDER_BADGE})]({binder_url(path)})")


def colab_setup_source():
    """A cell that installs the helper package on Colab only, leaving Colab's own packages alone.

    --no-deps keeps Colab's torch, matplotlib and ipywidgets 7 exactly as they are; einops and
    torchinfo (Chapter 6's summary) have no dependencies and are installed only if missing.
    """
    return (
        "# On Google Colab this installs the course's helper package; anywhere else it does nothing.\n"
        "import sys\n"
        "if \"google.colab\" in sys.modules:\n"
        "    import subprocess\n"
        "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\", \"--no-deps\",\n"
        f"                    \"shapeschool @ git+https://github.com/{REPOSITORY}@{BRANCH}\"], check=True)\n"
        "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\", \"einops\", \"torchinfo\"],\n"
        "                   check=True)"
    )


def launch_cells(path):
    """The badge cell and the Colab set-up cell for the notebook at ``path``."""
    marker = {"shapeschool": {"launch": True}}
    return [new_markdown_cell(badges(path), metadata=dict(marker)),
            new_code_cell(colab_setup_source(), metadata=dict(marker))]


class AddLaunchCells(NbGraderPreprocessor):
    """Put the Colab/Binder badges and the Colab set-up cell at the top of a student notebook."""

    def preprocess(self, nb, resources):
        path = f"exercises/{resources['unique_key']}.ipynb"
        cells = launch_cells(path)
        for i, cell in enumerate(cells):
            cell["id"] = f"launch-{i}"
        nb.cells = cells + [c for c in nb.cells if not c.metadata.get("shapeschool", {}).get("launch")]
        return nb, resources
