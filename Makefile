# Two commands on a fresh machine: `make demo` and `make test`. Both set up .venv first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.minigrad-installed
OUT     ?= out

.PHONY: demo test bench venv dot clean

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "minigrad needs Python 3.11+ ($(PY) is older); run: make PY=python3.11 ..."; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,examples]'
	@touch $(STAMP)

venv: $(STAMP)

# Graphviz's `dot` draws the diagrams; without it they fall back to networkx + matplotlib.
dot:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "minigrad: installing graphviz (dot) with apt-get"; \
	  (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q graphviz >/dev/null) \
	    || echo "minigrad: apt-get could not install graphviz; diagrams fall back to matplotlib"; \
	else echo "minigrad: graphviz 'dot' not found (install it, e.g. apt-get install graphviz); diagrams fall back to matplotlib"; fi

demo: $(STAMP) dot
	$(BIN)/minigrad demo --out $(OUT)

test: $(STAMP) dot
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP) dot
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info
