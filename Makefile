# Two commands on a fresh machine with Python 3.11+, pip and make:
#   make demo   - run the main job (the sparkprime command's demo: report in sparkprime-demo/)
#   make test   - lint, type-check and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo examples test lint typecheck pytest bench clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sparkprime demo

examples: $(STAMP)
	$(BIN)/python examples/foundation_demo.py
	$(BIN)/python examples/sparklend_demo.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/fixed.py
	$(BIN)/python benchmarks/journal.py
	$(BIN)/python benchmarks/sparklend.py
	$(BIN)/python benchmarks/rate_limits.py
	$(BIN)/python benchmarks/planner.py
	$(BIN)/python benchmarks/vaults.py
	$(BIN)/python benchmarks/margin.py

clean:
	rm -rf $(VENV) sparkprime-demo .pytest_cache .mypy_cache .ruff_cache .hypothesis
