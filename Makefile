# Shape School: every command a learner, instructor or contributor needs.
#   make lab       set up (first time only) and open the course in JupyterLab
#   make test      set up (first time only) and run every test (installs Debian's chromium, bubblewrap
#                  and postgresql as root)
#   make generate  rebuild exercises/ and solutions/ from course/
#   make site      build the course's website in build/site/_build/html (open its index.html)
#   make benchmark grade a synthetic class (STUDENTS=40) with plain nbgrader and with shapeschool-grade
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

.PHONY: setup lab test generate check-generated site benchmark benchmark-doctor clean postgresql

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

# bubblewrap: the sandbox shapeschool-grade runs student code in (Debian's package).
$(BWRAP):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	else \
		echo "Grading sandboxes student code with bubblewrap: on Debian or Ubuntu, sudo apt-get install bubblewrap" >&2; \
	fi

# PostgreSQL's server, for the grader's PostgreSQL gradebook tests (Debian's package; the tests
# start a private server of their own and skip, saying why, where there is none).
postgresql:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "The PostgreSQL gradebook tests need PostgreSQL's server: on Debian or Ubuntu, sudo apt-get install postgresql" >&2; \
	fi

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) exercises/

test: $(STAMP) $(COLAB_STAMP) $(CHROMIUM) $(BWRAP) postgresql
	SHAPESCHOOL_COLAB_PYTHON=$(COLAB_VENV)/bin/python $(BIN)/python -m pytest -p no:cacheprovider --durations=25 tests --nbval solutions --nbval-sanitize-with tests/nbval_sanitize.cfg

generate: $(STAMP)
	$(BIN)/python -m shapeschool_nbgrader

check-generated: $(STAMP)
	$(BIN)/python -m shapeschool_nbgrader --check

# The website, made from the same sources as the notebooks (autograder/shapeschool_site).
site: $(STAMP)
	$(BIN)/python -m shapeschool_site

benchmark: $(STAMP) $(BWRAP)
	$(BIN)/python -m shapeschool_grader.benchmark --students $(STUDENTS)

# The shape doctor's benchmark: plain PyTorch, TensorSensor and the doctor on the catalogue of
# shape mistakes (tests/doctor_cases), side by side; the scoring is in tests/doctor_cases/benchmark.py.
benchmark-doctor: $(STAMP)
	MPLBACKEND=Agg PYTHONPATH=tests $(BIN)/python -m doctor_cases.benchmark
	PYTHONPATH=tests $(BIN)/python -m doctor_cases.cost

clean:
	rm -rf $(VENV) $(COLAB_VENV)
