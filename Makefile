# Two entry points: `make run` and `make test`. Each sets up .venv itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test publish check lint bench clean fuzz

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/feeds run -c sources.yaml

publish: $(STAMP)
	$(BIN)/feeds publish -c sources.yaml

check: $(STAMP)
	$(BIN)/feeds check -c sources.yaml

test: $(STAMP)
	$(BIN)/python -m pytest

# Longer runs of the parser fuzz and output property tests (make test runs a few seconds of
# each); a crash found goes into tests/data/fuzz/<target>/ as a fixed regression input.
FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	FEEDS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -x \
		tests/test_fuzz_parsers.py tests/test_hostile_properties.py

lint: $(STAMP)
	$(BIN)/ruff check feeds tests benchmarks examples
	$(BIN)/mypy feeds

bench: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) output data
