# Two commands: `make serve` installs and starts the emulator; `make test` installs and runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8080
SEED ?= 42

.PHONY: serve test bench install clean

serve: $(VENV)/.installed
	$(VENV)/bin/lms-emulator serve --host $(HOST) --port $(PORT) --seed $(SEED)

test: $(VENV)/.installed
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(PY) bench/run.py

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) *.egg-info
