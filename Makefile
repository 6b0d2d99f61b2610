# Two commands do all the set-up on a fresh machine (Python 3.11 and git):
#   make demo   - run the whole migration on the embedded demo estate (no AWS account)
#   make test   - lint and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: demo test lint venv clean sample-exports

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) --upgrade pip 2>/dev/null
	$(PY) -m pip install $(PIP_QUIET) -e '.[test]' 2>&1 | grep -v -e '^WARNING: Location' -e 'BuildBackendWarning' || true
	$(PY) -c "import proton_exodus, pytest, cfnlint"   # fail loudly if the install did not happen
	touch $@

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
