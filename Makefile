# tariffmodel: two commands on a fresh machine (Python 3.11 and make):
#   make review   runs the main job on the bundled default data
#   make test     runs the tests
# Both build .venv themselves (make setup, idempotent).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8866
JOBS   ?= 2

.PHONY: setup review test test-fast bench lab dashboard lint format lock clean

# Voila's configuration in the environment: the dashboards' front-end extensions only, for
# "Render with Voila" in JupyterLab however Lab is started (docs/dashboards.md).
VOILA_CONFIG := $(VENV)/etc/jupyter/voila.json

setup: $(STAMP) $(VOILA_CONFIG)

# Rebuilt only when the declared or pinned dependencies change.
$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make setup: $(PYTHON) not found (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (tariffmodel)" >/dev/null
	@touch $(STAMP)
	@echo "make setup: .venv ready"

# Written again whenever the list changes (tariffmodel.dashboards.extensions holds it).
$(VOILA_CONFIG): $(STAMP) src/tariffmodel/dashboards/extensions.py
	$(BIN)/python -m tariffmodel.dashboards.extensions $@

review: setup
	$(BIN)/tariffmodel review data/scenarios --out reports --jobs $(JOBS)

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow"

bench: setup
	@$(BIN)/python -m compileall -q src  # time the commands as installed, not their compilation
	$(BIN)/python benchmarks/run.py $(if $(BASELINE),--baseline $(BASELINE))

# Jupyter refuses to start as root (as in many containers) unless told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup
	$(BIN)/jupyter lab --notebook-dir=. $(ALLOW_ROOT)

dashboard: setup
	$(BIN)/tariffmodel dashboard --port $(PORT)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Refresh the pins after changing pyproject.toml (run, review the diff, commit).
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' | sort > requirements.lock
	$(BIN)/python scripts/sync_environment.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
