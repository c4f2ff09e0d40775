# npsops: `make run` runs the demo on the embedded AWS, `make test` runs every test tier.
# Both install what they need first (a virtualenv in .venv from pyproject.toml).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

# A slice of the integration tests that `make test` runs again on moto without the speed patches
# (local/moto_patches/speed.py), to show they change no answer: executions, cases, webhooks,
# concurrency, the bulk import's Distributed Map and the CRM destinations.
STOCK_MOTO_SLICE := \
	tests/integration/test_pipeline_execution.py \
	tests/integration/test_case_opening.py \
	tests/integration/test_closed_loop.py \
	tests/integration/test_webhooks.py \
	tests/integration/test_rollups_and_concurrency.py \
	tests/integration/test_bulk_import.py \
	tests/integration/test_crm_destinations.py \
	tests/integration/test_patch_points.py

.PHONY: setup run serve test test-stock-moto lint unit integration infra e2e synth openapi bench bench-import bench-analyzer bench-cost bench-cold soak clean events

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The Node tools of package-lock.json: the CDK CLI, and asl-validator for tests/infra/test_asl_lint.py.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: $(VENV)/.installed node_modules/.installed

run: setup  ## the main job: a year of NPS answers through the real pipeline, then the Monday report
	$(BIN)/npsops demo

serve: setup  ## the intake API on http://127.0.0.1:8080 (PORT=... to change)
	$(BIN)/npsops serve --port $(or $(PORT),8080)

test: setup lint  ## every tier: unit, integration (moto), infra (CDK, cdk-nag, cfn-lint, ASL lint), e2e (HTTP); then test-stock-moto
	NPSOPS_LAYER=code-only $(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-stock-moto

test-stock-moto: setup  ## STOCK_MOTO_SLICE on moto with only the correctness patches (local/moto_patches/): the same answers
	NPSOPS_MOTO_SPEED_PATCHES=0 NPSOPS_LAYER=code-only $(BIN)/python -m pytest $(STOCK_MOTO_SLICE)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit integration infra e2e: setup
	NPSOPS_LAYER=code-only $(BIN)/python -m pytest tests/$@

synth: setup  ## the CloudFormation template in cdk.out/ (builds the Lambda layer with pip, no docker)
	$(BIN)/python -m infra.app

openapi: setup  ## regenerate docs/openapi.json from the API functions' routes and models
	$(BIN)/npsops openapi > docs/openapi.json

events: setup  ## regenerate docs/events/ (JSON Schema + example per detail type) from shared/events/catalog.py
	$(BIN)/npsops events schemas

bench: setup  ## figures: end-to-end local throughput beside moto's raw put_item rate; DynamoDB calls per response
	$(BIN)/python -m bench.pipeline_throughput

bench-import: setup  ## figures: a 100,000-row history import, rows per second and DynamoDB writes per row
	$(BIN)/python -m bench.import_rate --rows 100000

bench-cost: setup  ## figures: $ per million responses by service (core path, all-in, naive variant), bench/prices.json
	$(BIN)/python -m bench.cost_per_million --responses 400

bench-cold: setup  ## figures: each handler's cold start (import and init, median) beside bare boto3 + one client
	$(BIN)/python -m bench.cold_start --runs 15

soak: setup  ## 10,000 answers (10% redelivered, 5% out of order) through the pipeline; counters vs a recount
	NPSOPS_SOAK_RESPONSES=10000 NPSOPS_LAYER=code-only $(BIN)/python -m pytest tests/integration/test_soak.py

bench-analyzer: setup  ## figures: the embedded text analyzer's sentiment and theme accuracy on a labelled set
	$(BIN)/python -m bench.analyzer_accuracy

clean:
	rm -rf $(VENV) node_modules cdk.out build .pytest_cache .mypy_cache .ruff_cache
