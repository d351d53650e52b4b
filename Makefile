# wiretrace — two commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RAY_STAMP := $(VENV)/.installed-ray

.PHONY: demo test lint eval bench browser clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The tests also run the Ray path (wiretrace batch): the [ray] extra, for `make test` only.
$(RAY_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,ray]'
	@touch $(RAY_STAMP)

# Debian's chromium for the browser tests (skipped politely when apt is not available).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium not installed; browser tests will be skipped"; fi; }

demo: $(STAMP)
	$(BIN)/wiretrace --db demo.db demo

test: $(RAY_STAMP) browser
	$(BIN)/ruff check wiretrace tests bench eval tools
	$(BIN)/pytest -q -x -rs --durations=15 -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check wiretrace tests bench eval tools
	$(BIN)/ruff format --check wiretrace tests bench eval tools

eval: $(STAMP)
	$(BIN)/python tools/run_scripts.py eval

bench: $(STAMP)
	$(BIN)/python tools/run_scripts.py bench

clean:
	rm -rf $(VENV) demo.db demo.db-* .pytest_cache build *.egg-info
