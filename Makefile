# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-stress lint typecheck bench compat serve clean system-deps system-deps-test

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
	$(BIN)/ruff check desktop_app tests benchmarks compat
	$(BIN)/ruff format --check desktop_app tests benchmarks compat

typecheck: $(STAMP)
	$(BIN)/mypy desktop_app

test: system-deps-test $(STAMP) lint typecheck
	scripts/with-display.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

# The timing-sensitive tests (@pytest.mark.timing), 20 times quiet and 20 times under load (COUNT=N).
test-stress: system-deps-test $(STAMP)
	scripts/with-display.sh scripts/stress.sh

# Push latency, idle cost, connections, start-up and memory of the real app (benchmarks/run_all.py):
# writes bench-results.json and the table in docs/performance.md. BENCH_QUICK=1 for a short run.
bench: system-deps-test $(STAMP)
	scripts/with-display.sh $(BIN)/python benchmarks/run_all.py

# Four published mail.tm clients, unchanged, against a default `temp-inbox serve` (compat/run.py). Not part
# of `make test`: it installs the clients from the package registries into a scratch folder.
compat: $(STAMP)
	$(BIN)/python compat/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# Release (docs/packaging.md): the frozen one-folder app, the tarball and the .deb in dist/.
DIST_STAMP := $(VENV)/.installed-dist
.PHONY: dist dist-test install-desktop uninstall-desktop system-deps-dist clean-dist

$(DIST_STAMP): $(STAMP) pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e ".[test,dist]"
	touch $(DIST_STAMP)

system-deps-dist:
	@scripts/system-deps.sh --dist

dist: system-deps-dist $(DIST_STAMP)
	scripts/build-dist.sh

# The smoke test of what ships (minutes, so not part of make test): the frozen app under Xvfb with a
# private D-Bus session, then the .deb installed and removed (as root). Builds dist/ when it is missing.
dist-test: system-deps-dist $(DIST_STAMP)
	@test -x dist/temp-inbox/temp-inbox -a -n "$$(ls dist/temp-inbox_*_amd64.deb 2>/dev/null)" || $(MAKE) dist
	$(BIN)/python scripts/dist_smoke.py

# For a user running from a clone: the desktop entry (Exec = this clone's .venv/bin/temp-inbox),
# metainfo and icons into ~/.local/share.
install-desktop: $(STAMP)
	scripts/stage-share.sh build/share
	scripts/install-desktop.sh "$(CURDIR)/$(BIN)/temp-inbox" build/share

uninstall-desktop:
	scripts/install-desktop.sh --uninstall

clean-dist:
	rm -rf dist build
