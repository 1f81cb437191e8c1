# Shape School: every command a learner, instructor or contributor needs.
#   make lab       set up (first time only) and open the course in JupyterLab
#   make test      set up (first time only) and run every test (installs Debian's chromium as root)
#   make generate  rebuild exercises/ and solutions/ from course/
#   make benchmark grade a synthetic class (STUDENTS=40) with plain nbgrader and with shapeschool_grader.grade
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
BWRAP := /usr/bin/bwrap
STUDENTS ?= 40
# A second environment with Colab's ipywidgets 7 and matplotlib 3.10, for tests/test_colab_versions.py
COLAB_VENV ?= .venv-colab
COLAB_STAMP := $(COLAB_VENV)/.installed
# jupyter refuses to start as root without this flag (containers, CI machines)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab test generate check-generated benchmark clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-test.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

$(COLAB_STAMP): requirements-colab.txt pyproject.toml
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install --quiet -r requirements-colab.txt
	$(COLAB_VENV)/bin/python -m pip install --quiet --no-deps --editable .
	touch $@

# Debian's Chromium for the browser test; the emoji font draws the course's headings.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; \
	else \
		echo "The browser test needs Chromium at $(CHROMIUM): on Debian or Ubuntu, sudo apt-get install chromium" >&2; \
	fi

# bubblewrap: the sandbox shapeschool_grader.grade runs student code in (Debian's package).
$(BWRAP):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	else \
		echo "Grading sandboxes student code with bubblewrap: on Debian or Ubuntu, sudo apt-get install bubblewrap" >&2; \
	fi

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) exercises/

test: $(STAMP) $(COLAB_STAMP) $(CHROMIUM) $(BWRAP)
	SHAPESCHOOL_COLAB_PYTHON=$(COLAB_VENV)/bin/python $(BIN)/python -m pytest -p no:cacheprovider tests --nbval solutions --nbval-sanitize-with tests/nbval_sanitize.cfg

generate: $(STAMP)
	$(BIN)/python -m shapeschool_nbgrader.build

check-generated: $(STAMP)
	$(BIN)/python -m shapeschool_nbgrader.build --check

benchmark: $(STAMP) $(BWRAP)
	$(BIN)/python -m shapeschool_grader.benchmark --students $(STUDENTS)

clean:
	rm -rf $(VENV) $(COLAB_VENV)
