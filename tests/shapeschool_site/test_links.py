"""Links made right for the site: page to page stays relative, anything else goes to GitHub, and a
link to nothing stops the build naming the file and the link."""
import pytest

from shapeschool_nbgrader.launch import BRANCH, REPOSITORY
from shapeschool_site import links

from conftest import REPO

PAGES = {"README.md": "index.md", "docs/cheatsheet.md": "docs/cheatsheet.md",
         "exercises/ch01_embeddings_to_lstm.ipynb": "exercises/ch01_embeddings_to_lstm.ipynb"}


def _rewrite(text, source="README.md", page=None, images=None):
    return links.rewrite(text, source, page or PAGES[source], PAGES, REPO, set() if images is None else images)


def test_a_link_between_pages_stays_a_relative_link_with_its_anchor():
    text = _rewrite("see [the cheat sheet](../docs/cheatsheet.md#error-messages)", source="exercises/ch01_embeddings_to_lstm.ipynb")
    assert text == "see [the cheat sheet](../docs/cheatsheet.md#error-messages)"
    assert _rewrite("[ch1](exercises/ch01_embeddings_to_lstm.ipynb)") == "[ch1](exercises/ch01_embeddings_to_lstm.ipynb)"


def test_a_file_that_is_not_a_page_is_linked_on_github():
    assert _rewrite("[guide](CONTRIBUTING.md)") == \
        f"[guide](https://github.com/{REPOSITORY}/blob/{BRANCH}/CONTRIBUTING.md)"
    assert _rewrite("[keys](solutions/)") == f"[keys](https://github.com/{REPOSITORY}/tree/{BRANCH}/solutions)"
    assert _rewrite("[key](../solutions/ch01_embeddings_to_lstm.ipynb)", source="exercises/ch01_embeddings_to_lstm.ipynb") == \
        f"[key](https://github.com/{REPOSITORY}/blob/{BRANCH}/solutions/ch01_embeddings_to_lstm.ipynb)"


def test_pictures_are_collected_and_linked_where_they_will_be():
    images = set()
    text = _rewrite("![the report](class-report.png)", source="docs/cheatsheet.md", images=images)
    assert text == "![the report](class-report.png)" and images == {"docs/class-report.png"}
    # the same picture from a page shown elsewhere than its source (the doctor's page is README's text)
    assert _rewrite("![r](docs/class-report.png)", page="docs/doctor.md") == "![r](class-report.png)"


def test_other_sites_and_in_page_anchors_are_left_alone():
    for text in ("[PyTorch](https://pytorch.org/docs)", "[mail](mailto:a@b.c)", "[below](#the-rule)"):
        assert _rewrite(text) == text


@pytest.mark.parametrize("target", ["docs/nowhere.md", "../outside.md", "exercises/ch09_missing.ipynb#x"])
def test_a_link_to_nothing_names_the_file_and_the_link(target):
    with pytest.raises(links.BrokenLink, match=r"README\.md: the link .* not in the repository"):
        _rewrite(f"[x]({target})")
