# Two commands do all the set-up on a fresh machine (Python 3.11 and git):
#   make demo   - run the whole migration on the embedded demo estate (no AWS account)
#   make test   - lint and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_QUIET := --quiet --disable-pip-version-check
LOCK := requirements.lock
# pip-compile options for `make lock`; `make lock LOCK_ARGS=--upgrade` moves every pin to the newest release.
LOCK_ARGS ?=
# bash for pipefail: pip's exit status must survive the filter below.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
# Drops the warning pip prints for an index location in the machine's pip config that does not exist.
PIP_FILTER := sed -e '/^WARNING: Location/d'

.PHONY: demo test lint venv clean sample-exports lock

# The venv holds exactly the lock: exact versions, every file checked against its hash, the build
# backend (setuptools) among them, so the project itself installs with --no-deps --no-build-isolation
# and nothing unpinned is fetched.
$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install $(PIP_QUIET) --require-hashes -r $(LOCK) 2>&1 | $(PIP_FILTER)
	$(PY) -m pip install $(PIP_QUIET) --no-deps --no-build-isolation -e . 2>&1 | $(PIP_FILTER)
	$(PY) -c "import proton_exodus, pytest, cfnlint"   # fail loudly if the install did not happen
	touch $@

# Refresh the lock from pyproject.toml (keeps the pins that still fit; LOCK_ARGS=--upgrade for new ones).
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) pip-tools 2>&1 | $(PIP_FILTER)
	$(VENV)/bin/pip-compile --quiet --generate-hashes --extra test --build-deps-for wheel --allow-unsafe \
		--strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) --output-file $(LOCK) pyproject.toml

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/exodus demo --out exodus-demo

test: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 -q

sample-exports: $(VENV)/.installed
	$(VENV)/bin/exodus demo --out sample_exports

clean:
	rm -rf $(VENV) exodus-demo .pytest_cache .ruff_cache
