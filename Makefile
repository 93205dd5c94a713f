# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-stress lint typecheck bench serve clean system-deps system-deps-test

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	touch $(STAMP)

system-deps:
	@scripts/system-deps.sh

system-deps-test:
	@scripts/system-deps.sh --test

run: system-deps $(STAMP)
	$(BIN)/temp-inbox $(ARGS)

serve: $(STAMP)
	$(BIN)/temp-inbox serve $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check desktop_app tests benchmarks
	$(BIN)/ruff format --check desktop_app tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy desktop_app

test: system-deps-test $(STAMP) lint typecheck
	scripts/with-display.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

# The timing-sensitive tests (@pytest.mark.timing), 20 times quiet and 20 times under load (COUNT=N).
test-stress: system-deps-test $(STAMP)
	scripts/with-display.sh scripts/stress.sh

bench: system-deps-test $(STAMP)
	scripts/with-display.sh $(BIN)/python benchmarks/notify_latency.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
