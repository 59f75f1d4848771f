# Every target bootstraps the virtualenv first, so each works on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
# The generator's post hooks run whatever `ruff` is first on PATH: make it the pinned one.
GEN := PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate \
	--path openapi.yaml --config generator-config.yaml --meta uv --fail-on-warning

.PHONY: install generate check-generated check-spec spec-update lint typecheck pytest test demo bench \
	constraints clean

install: $(STAMP)

$(STAMP): pyproject.toml generated/pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is required (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ./generated -e '.[dev,emulator]'
	touch $@

# Twilio's SDK and httpx-aiohttp are only compared against, in `make bench`.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
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

test: check-generated check-spec lint typecheck pytest

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
