"""Does the README's shape-doctor example print what the README says it prints?"""
import re
import subprocess
import sys

from conftest import REPO


def example():
    text = (REPO / "README.md").read_text()
    found = re.search(r"<!-- doctor-example[^>]*-->\n```python\n(.*?)```\n\n```\n(.*?)```", text, re.S)
    assert found, "README.md lost its doctor example (the <!-- doctor-example --> marker and two code blocks)"
    return found.group(1), found.group(2)


def test_the_readme_shows_what_the_doctor_says():
    code, shown = example()
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO,
                         env={"PATH": "/usr/bin:/bin", "SHAPESCHOOL_DEVICE": "cpu"})
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("RuntimeError: "))
    assert "\n".join(lines[start:]) + "\n" == shown
