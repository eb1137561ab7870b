# Two commands: `make run` (set up, migrate, seed the demo catalog, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test coverage lint unit bench lock clean webhook-schemas

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(BIN)/media-gateway seed-demo
	$(BIN)/media-gateway serve --with-worker

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite on every core, at most 8 (each pytest-xdist worker has Redis databases of its own on a
# shared server: tests/support/servers.py). worksteal: a worker that runs out takes half another's rest.
TEST_WORKERS ?= $(shell n=$$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2); [ "$$n" -gt 8 ] && n=8; echo $$n)

test: lint
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal

# The suite under coverage.py (branch coverage of the four packages, see pyproject.toml), then the report.
coverage: $(STAMP)
	$(BIN)/coverage run -m pytest -q
	$(BIN)/coverage report

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Rewrite docs/webhooks/<format>.schema.json from the normalisers' structs (a test fails while they differ).
webhook-schemas: $(STAMP)
	$(BIN)/python scripts/generate_webhook_schemas.py

# Re-pin every dependency (run after editing pyproject.toml's dependencies).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet ".[dev]"
	.venv-lock/bin/pip freeze --exclude media-gateway > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
