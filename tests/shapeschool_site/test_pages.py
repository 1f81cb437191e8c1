"""The home page and the doctor's page are README.md's own sections; badges become words."""
import pytest

from shapeschool_site import pages

README = """# Title

Intro.

## Start here

```bash
## not a heading inside a fence
```

## Your own model: the shape doctor

Put it in `with ss.doctor():`.

## Repository layout

| path | what |

## Two commands

make lab
"""


def test_the_home_page_keeps_the_readme_less_the_doctor_and_the_layout():
    home, doctor = pages.home_and_doctor(README)
    assert "Intro." in home and "## Start here" in home and "## Two commands" in home
    assert "## not a heading inside a fence" in home, "a fenced line is text, not a section"
    assert "ss.doctor" not in home and "Repository layout" not in home
    assert doctor.startswith("# The shape doctor\n") and "with ss.doctor():" in doctor and "Two commands" not in doctor


def test_a_renamed_readme_section_stops_the_build_saying_where():
    with pytest.raises(ValueError, match="no section '## Your own model: the shape doctor'.*pages.py"):
        pages.home_and_doctor(README.replace("Your own model", "Your model"))


def test_badges_from_other_sites_become_their_words():
    row = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.example/nb.ipynb) "
           "[![Launch Binder](https://mybinder.org/badge_logo.svg)](https://binder.example/?labpath=nb) "
           "![kept](docs/local.png)")
    assert pages.without_badges(row) == ("[Open In Colab](https://colab.example/nb.ipynb) "
                                         "[Launch Binder](https://binder.example/?labpath=nb) ![kept](docs/local.png)")


def test_the_real_readme_makes_both_pages(repo):
    home, doctor = pages.home_and_doctor((repo / "README.md").read_text())
    assert "## Chapters" in home and "## Start here" in home
    assert "with ss.doctor():" in doctor
