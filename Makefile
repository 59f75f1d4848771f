# Every target bootstraps the virtualenv it needs first, so each works on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
BENCH_STAMP := $(VENV)/.installed-bench
# `make test` also runs pytest under these interpreters, each in its own .venv-X.Y. A missing
# one fails the run when CI is set (CI sets CI=true) and is reported and skipped otherwise.
TEST_PYTHONS ?= 3.12 3.13
# The generator's post hooks run whatever `ruff` is first on PATH: make it the pinned one.
GEN := PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate \
	--path openapi.yaml --config generator-config.yaml --meta uv --fail-on-warning
CHECK_VERSION := import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is required (set PYTHON=...)")

# Prints the path of a working pythonX.Y for X.Y = $(1): the one on PATH, else the newest
# under pyenv's versions/ (pyenv's shims fail for versions that are not selected).
find_python = for p in python$(1) $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(1).*/bin/python$(1) 2>/dev/null | sort -rV); do \
	"$$p" -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(1)")' >/dev/null 2>&1 \
	&& { command -v "$$p"; exit 0; }; done; exit 1

.PHONY: install generate check-generated check-spec spec-update lint typecheck pytest pytest-all \
	test demo bench dist constraints clean

install: $(STAMP)

$(VENV)/bin/python:
	@$(PYTHON) -c '$(CHECK_VERSION)'
	$(PYTHON) -m venv $(VENV)

# The project is installed editable: src/ and generated/ go on sys.path (see pyproject.toml).
$(STAMP): pyproject.toml constraints.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,emulator]'
	touch $@

# The demo needs only the project and its emulator extra, not the generator or the checkers.
$(DEMO_STAMP): pyproject.toml constraints.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[emulator]'
	touch $@

# Twilio's SDK and httpx-aiohttp are only compared against, in `make bench`.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	touch $@

# One test venv per extra interpreter, installed like the dev venv (make sets PY).
$(VENV)-%/.installed: pyproject.toml constraints.txt
	test -x $(VENV)-$*/bin/python || $(PY) -m venv $(VENV)-$*
	$(VENV)-$*/bin/python -m pip install --quiet -c constraints.txt -e '.[dev,emulator]'
	touch $@

# After changing dependencies: re-pin everything the installs resolve to.
constraints: $(BENCH_STAMP)
	{ sed -n '1,2p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable \
		| grep -v '^twilio-chat'; } > constraints.new && mv constraints.new constraints.txt

generate: $(STAMP)
	rm -rf generated
	$(GEN) --output-path generated

check-generated: $(STAMP)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GEN) --output-path "$$tmp/generated" >/dev/null && \
	if diff -r "$$tmp/generated" generated -x __pycache__ -x '*.egg-info'; then \
		echo "generated/ matches openapi.yaml"; \
	else \
		echo "generated/ is stale or hand-edited: run 'make generate' and commit the result" >&2; exit 1; \
	fi

# openapi.yaml against the digest of Twilio's spec: every difference must be in spec/deviations.yaml.
check-spec: $(STAMP)
	@$(BIN)/python scripts/spec_digest.py check

# Rebuild spec/'s digest from a newer Twilio file and print what changed, breaking changes marked.
spec-update: $(STAMP)
	@test -n "$(UPSTREAM)" || { echo "usage: make spec-update" \
		"UPSTREAM=path/to/twilio_ip_messaging_v2.yaml [COMMIT=<twilio-oai sha>]" >&2; exit 2; }
	@$(BIN)/python scripts/spec_digest.py update --upstream "$(UPSTREAM)" \
		$(if $(COMMIT),--commit "$(COMMIT)")

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict src/

pytest: $(STAMP)
	$(BIN)/pytest

# pytest-3.12, pytest-3.13, ...: the suite under that interpreter, in .venv-3.12, ...
pytest-%:
	@py=$$($(call find_python,$*)) || { \
		if [ -n "$$CI" ]; then echo "Python $* not found: CI tests every version in TEST_PYTHONS" >&2; exit 1; fi; \
		echo "*** Python $* not found: the suite was NOT run on it (CI fails on this)" >&2; exit 0; }; \
	$(MAKE) --no-print-directory $(VENV)-$*/.installed PY="$$py" && \
	echo "pytest on $$($(VENV)-$*/bin/python --version)" && $(VENV)-$*/bin/pytest -q

pytest-all: pytest $(addprefix pytest-,$(TEST_PYTHONS))

test: check-generated check-spec lint typecheck pytest-all

demo: $(DEMO_STAMP)
	$(BIN)/python scripts/demo.py

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

# The sdist and the wheel, in dist/ (the dev venv has the pinned build backend).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/hatchling build -t sdist -t wheel
	@ls dist

clean:
	rm -rf $(VENV) $(VENV)-*/ dist .mypy_cache .pytest_cache .ruff_cache
