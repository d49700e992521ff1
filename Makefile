# verdict — the two commands: `make setup`, then `make test` or `make run`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PROTOS := $(wildcard proto/verdict/v1/*.proto)
STAMP  := $(VENV)/.installed
CONSOLE := server/console
HTMX   := $(CONSOLE)/static/vendor/htmx.min.js
# Every dependency pinned with its hashes (make lock refreshes them from pyproject.toml).
LOCK        := requirements.lock
ENGINE_LOCK := requirements-engine.lock
# The client alone (verdict-client: clients/, shared/, the generated verdict.v1) and its own lock.
CLIENT      := packaging/client
CLIENT_LOCK := requirements-client.lock
WHEELHOUSE  := $(VENV)/wheelhouse
DIST        ?= dist
ENGINE      := opa-golib-python-bindings==0.4.4
UV          := uv==0.13.9

.DEFAULT_GOAL := help
.PHONY: help setup install lock proto chromium schemas time-zones client-wheel lint-imports test test-python test-rego clause-coverage run bench bench-quick bench-policy bench-console clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: install chromium $(WHEELHOUSE)/.complete ## create .venv from the lock files (hashes checked), generate protobuf code, the console's assets and browser

install: $(STAMP) proto $(HTMX) ## what setup does but the browser: the steps deploy/Dockerfile runs

# Every package comes from the lock files and must match a hash there; then the
# project itself, with nothing more fetched (its build backend, setuptools, is in
# the lock). The embedded OPA engine declares Python >= 3.14 but works on 3.11: it
# has its own lock file, so --ignore-requires-python touches no other package.
$(STAMP): pyproject.toml $(LOCK) $(ENGINE_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps --ignore-requires-python -r $(ENGINE_LOCK)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

lock: ## refresh requirements.lock and requirements-engine.lock from pyproject.toml (uv pip compile --generate-hashes)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check $(UV)
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" -o $(LOCK)
	echo "$(ENGINE)" | $(BIN)/uv pip compile - --no-deps --generate-hashes --universal --python-version 3.14 \
		--custom-compile-command "make lock" -o $(ENGINE_LOCK)
	$(BIN)/uv pip compile $(CLIENT)/pyproject.toml --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" -o $(CLIENT_LOCK)

# The client's dependencies as wheels, checked against the hashes of its lock file: the test that installs
# the client alone into a fresh virtual environment (tests/integration/test_standalone_client.py) needs no network.
$(WHEELHOUSE)/.complete: $(CLIENT_LOCK) | $(STAMP)
	$(BIN)/pip download --quiet --disable-pip-version-check --require-hashes --no-deps --only-binary=:all: \
		-r $(CLIENT_LOCK) -d $(WHEELHOUSE)
	touch $@

client-wheel: ## the client alone as a wheel in DIST (default dist/): `pip install` it where only `verdict` is wanted
	@test -f proto/verdict/v1/case_pb2.py || (echo "no generated protobuf code: run make setup first" >&2; exit 1)
	rm -rf $(CLIENT)/build $(CLIENT)/verdict_client.egg-info
	$(BIN)/pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation -w $(DIST) $(CLIENT)

# The console's one front-end library, from the npm registry (pinned with its integrity hash), served locally.
$(HTMX): $(CONSOLE)/package.json $(CONSOLE)/package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	npm ci --prefix $(CONSOLE) --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(HTMX)) && cp $(CONSOLE)/node_modules/htmx.org/dist/htmx.min.js $(HTMX)
	rm -rf $(CONSOLE)/node_modules

chromium: ## Debian's Chromium, which the console's browser tests drive (Playwright's own download is not used)
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

proto: $(STAMP) ## generate Python protobuf/gRPC code from proto/
	$(BIN)/python -m grpc_tools.protoc -Iproto --python_out=proto --pyi_out=proto --grpc_python_out=proto $(PROTOS)

schemas: $(STAMP) ## JSON schemas of the policies' input from proto/, and their OPA schema annotation
	$(BIN)/python -m server.policytools.schemas

time-zones: $(STAMP) ## the time zones of each country (PRIV-1a "the same day") as policy data, from tzdata
	$(BIN)/python -m server.policytools.timezones

test: lint-imports test-rego clause-coverage test-python ## run every test: import contracts, Rego unit tests, clause coverage, pytest

lint-imports: ## import-linter: clients and server apart, shared below both, the server's rooms one way (pyproject.toml)
	$(BIN)/lint-imports --no-cache

test-python: $(WHEELHOUSE)/.complete ## pytest: unit and integration tests
	$(BIN)/pytest -q

test-rego: ## Rego unit tests with line coverage (real `opa test` when opa is on PATH)
	$(BIN)/verdict-admin rego test --coverage --min-coverage 95

clause-coverage: ## every clause of POLICIES.md has a rule and a test
	$(BIN)/verdict-admin rego coverage

run: ## start OPA on :8181 and the gRPC server on :50051 with demo accounts
	$(BIN)/python -m server.devrun

bench: ## load benchmark against bare OPA (writes bench/results.json and a chart), then bench-console
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.console

bench-console: ## the console's search over 1,000,000 logged decisions, and page weights (bench/console.json)
	$(BIN)/python -m bench.console

bench-quick: ## a short benchmark for development
	$(BIN)/python -m bench.run --quick

# The policies before round 2 (issue 11); REF=<git ref> compares against another.
REF ?= c344ce3
bench-policy: ## the decision query: current rego/ vs an earlier git ref (REF=...): median, p99, ratio
	$(BIN)/python -m bench.policy --ref $(REF)

clean: ## remove the virtualenv, generated code and runtime state
	rm -rf $(VENV) var proto/verdict/v1/*_pb2*.py proto/verdict/v1/*_pb2.pyi *.egg-info $(DIST) $(CLIENT)/build $(CLIENT)/*.egg-info
