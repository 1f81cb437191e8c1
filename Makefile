# Shape School: every command a learner, instructor or contributor needs.
#   make lab       set up (first time only) and open the course in JupyterLab
#   make test      set up (first time only) and run every test
#   make generate  rebuild exercises/ and solutions/ from course/
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# jupyter refuses to start as root without this flag (containers, CI machines)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab test generate check-generated clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) exercises/

test: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider tests --nbval solutions --nbval-sanitize-with tests/nbval_sanitize.cfg

generate: $(STAMP)
	$(BIN)/python -m autograder.build

check-generated: $(STAMP)
	$(BIN)/python -m autograder.build --check

clean:
	rm -rf $(VENV)
