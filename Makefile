# Two commands: `make serve` installs and starts the emulator; `make test` installs and runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8080
SEED ?= 42

.PHONY: serve test bench mutation install clean

# Bytecode is written ahead (compileall skips what is up to date): with PYTHONDONTWRITEBYTECODE set, as on
# CI machines, every start would otherwise compile the package from source (30-60 ms of the start-up).
serve: $(VENV)/.installed
	$(PY) -m compileall -q emulator
	$(VENV)/bin/lms-emulator serve --host $(HOST) --port $(PORT) --seed $(SEED)

test: $(VENV)/.installed
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(PY) -m compileall -q emulator bench
	$(PY) bench/run.py

# Mutation testing (slow: tens of minutes per large module on 2 cores; not part of `make test`).
# mutmut comes from the `mutation` extra, installed here only, so CI's `test` install stays lean.
# MUTATION_ARGS: module words (e.g. `pearson odata`), --retry, --report, --survivors, --children N.
mutation: $(VENV)/.mutation-installed
	$(PY) tools/mutation.py $(MUTATION_ARGS)

$(VENV)/.mutation-installed: $(VENV)/.installed
	$(VENV)/bin/pip install -q -e '.[test,mutation]'
	touch $@

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	$(PY) -m compileall -q emulator
	touch $@

clean:
	rm -rf $(VENV) *.egg-info
