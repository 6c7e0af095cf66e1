# Two commands: `make serve` installs and starts the emulator; `make test` installs and runs the tests.
# make serve PORT=18040 (or HOST=, SEED=) passes that option; without it the environment
# (LMS_EMULATOR_PORT, ...) and then the defaults apply: 127.0.0.1:8080, seed 42.
VENV ?= .venv
PY := $(VENV)/bin/python
# The Python that makes the venv (3.10+): `make PYTHON=python3.12 serve`. `make clean` removes the venv.
PYTHON ?= python3
# Refuse an old Python before a venv is made with it, and a venv an old Python made (it would keep failing).
PYTHON_CHECK = import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else \
	f"lms-emulator needs Python 3.10 or newer; {sys.executable} is {v[0]}.{v[1]}. {sys.argv[1]}")
HOST ?=
PORT ?=
SEED ?=

.PHONY: serve test bench bench-peers mutation coverage install clean

# Bytecode is written ahead (compileall skips what is up to date): with PYTHONDONTWRITEBYTECODE set, as on
# CI machines, every start would otherwise compile the package from source (30-60 ms of the start-up).
serve: $(VENV)/.installed
	$(PY) -m compileall -q emulator
	$(VENV)/bin/lms-emulator serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT)) $(if $(SEED),--seed $(SEED))

# ruff, then mypy, then the import contracts (seconds each): a lint finding, a type error or a broken layer fails
# the run before the suite starts ([tool.ruff] in pyproject.toml, [mypy] in setup.cfg: it checks the files it
# names, the emulator package; [tool.importlinter] in pyproject.toml: each vendor's layers, core imports no
# vendor, vendors don't import each other). The suite: two workers, an idle one taking tests queued for the other
# (worksteal; the slow tests go first, tests/conftest.py); PYTEST_ARGS='-m "not slow"' is the quick run.
# Bytecode is written during the suite even where PYTHONDONTWRITEBYTECODE is set (CI machines): pytest rewrites
# the asserts of the whole emulator package (a pytest11 plugin's distribution) in every pytest process, the
# workers' and the ~20 the tests start, and without a written .pyc each compiled it all again (~3 s CPU each).
test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n 2 --dist worksteal $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(PY) -m compileall -q emulator bench
	$(PY) bench/run.py

# Optional: Prism, json-server, WireMock and Mockoon against the emulator (needs node/npm and java; the peers
# are installed with npm into ~/.cache/lms-emulator/bench-peers, or BENCH_PEERS_DIR, never into the repo).
bench-peers: $(VENV)/.installed-test
	$(PY) -m compileall -q emulator bench
	$(PY) bench/peers.py

# Mutation testing (slow: tens of minutes per large module on 2 cores; not part of `make test`).
# mutmut comes from the `mutation` extra, installed here only, so CI's `test` install stays lean.
# MUTATION_ARGS: module words (e.g. `pearson odata`), --retry, --report, --survivors, --children N.
mutation: $(VENV)/.installed-mutation
	$(PY) tools/mutation.py $(MUTATION_ARGS)

# docs/COVERAGE.md: each vendor's documented operations (docs/operations/*.txt) against the routes served.
# Run it after adding a route or an operation; `make test` fails while the file is stale (tests/test_coverage.py).
coverage: $(VENV)/.installed
	$(PY) -m emulator.coverage

install: $(VENV)/.installed-test

# The runtime only (what serving needs) ...
$(VENV)/.installed: setup.cfg pyproject.toml
	@if [ -x $(PY) ]; then $(PY) -c '$(PYTHON_CHECK)' "Run 'make clean' to remove $(VENV), then make again (PYTHON=python3.X picks the Python)."; fi
	@$(PYTHON) -c '$(PYTHON_CHECK)' "Install a newer Python and run e.g. 'make PYTHON=python3.12 $(or $(MAKECMDGOALS),serve)'."
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e .
	$(PY) -m compileall -q emulator
	touch $@

# ... and the test extras on top (pytest, xdist, hypothesis, schemathesis, playwright).
$(VENV)/.installed-test: $(VENV)/.installed
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

# ... and mutmut for `make mutation` only.
$(VENV)/.installed-mutation: $(VENV)/.installed-test
	$(VENV)/bin/pip install -q -e '.[test,mutation]'
	touch $@

# The venv and build leftovers: after switching Python versions, or to start again from nothing.
clean:
	rm -rf $(VENV) *.egg-info build dist
