# Two commands do all set-up on a fresh machine: `make plan` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
SCENARIO ?= data/taza-aimak/scenario.toml

.PHONY: plan serve test bench lint typecheck sysdeps synth clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@

plan: $(VENV)/.installed sysdeps
	$(BIN)/taza-route plan $(SCENARIO) --offline --screenshots

# The web service on http://127.0.0.1:8000/ (data in $TAZA_DATA_DIR or the user's data directory).
serve: $(VENV)/.installed
	$(BIN)/taza-route serve

# System packages for the browser and PDF checks (Debian); skipped quietly where apt is not ours.
sysdeps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils fonts-dejavu-core >/dev/null) \
	      || echo "warning: could not install chromium/poppler-utils; browser and PDF render tests will skip"; \
	  else echo "note: chromium/poppler-utils missing and apt-get not usable; those tests will skip"; fi; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check routing tests bench
	$(BIN)/ruff format --check routing tests bench

typecheck: $(VENV)/.installed
	$(BIN)/mypy

test: $(VENV)/.installed sysdeps lint typecheck
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed
	$(BIN)/python -m bench

synth: $(VENV)/.installed
	$(BIN)/python -m routing.synthetic --out data/taza-aimak

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
