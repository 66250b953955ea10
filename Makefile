# pekko-bootstrap-operator: every entry point a person or CI uses. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Node >= 22.19 first on PATH for every target (hack/ensure-node.sh installs Node 24 from npm when needed).
NODE_BIN := $(shell hack/ensure-node.sh)
export PATH := $(if $(NODE_BIN),$(NODE_BIN):)$(PATH)
export PBO_CACHE ?= $(HOME)/.cache/pekko-bootstrap-operator
export KUBECONFIG_LOCAL := $(CURDIR)/.cluster/kubeconfig

RUN := node hack/run-tests.ts
UNIT_TESTS := 'core/**/*.test.ts' 'operator/**/*.test.ts' 'agent/**/*.test.ts' 'hack/**/*.test.ts' 'local-cluster/**/*.test.ts' 'bench/**/*.test.ts'
E2E_TESTS ?= 'test-e2e/suites/*.e2e.ts'
# Simulations too long for the unit runner's timeout (docs/testing.md).
SIM_TESTS := 'agent/sim/*.sim.ts'
MUTATION_TESTS := 'operator/**/*.test.ts' 'agent/**/*.test.ts'
# e.g. MUTATION_FLAGS='--only ID,ID' or '--report hack/mutations.md' (docs/testing.md)
MUTATION_FLAGS ?=
# Per-file timeouts in seconds (docs/testing.md): a file still running after this is stopped and counts as failed.
UNIT_TIMEOUT ?= 60
CHART_TIMEOUT ?= 300
SIM_TIMEOUT ?= 600
E2E_TIMEOUT ?= 1200
# e2e files run in this many lanes; files marked `// test-runner: alone` run first, by themselves (docs/testing.md)
E2E_LANES ?= 2

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: node_modules/.installed ## install npm packages (npm ci)

.PHONY: build
build: deps ## compile TypeScript to dist/ (for the images)
	npx tsc -p tsconfig.build.json

.PHONY: generate
generate: deps ## regenerate the CRD, the chart's copy of it and docs/reference.md from core/api/schema.ts
	node hack/generate.ts

.PHONY: lint
lint: deps ## biome (lint and format check) and tsc --noEmit
	npx biome check .
	npx tsc --noEmit -p .

.PHONY: format
format: deps ## apply biome's formatting and safe fixes
	npx biome check --write .

# ---- tests -------------------------------------------------------------------------------------------------------
.PHONY: test
test: deps ## every suite: static checks, unit, sim, chart, e2e on one shared local cluster; ends with `N passed, N failed`
	@rm -rf .test-results; status=0; \
	$(MAKE) --no-print-directory test-static || status=1; \
	$(MAKE) --no-print-directory test-unit || status=1; \
	$(MAKE) --no-print-directory test-sim || status=1; \
	$(MAKE) --no-print-directory test-chart || status=1; \
	$(MAKE) --no-print-directory test-e2e || status=1; \
	$(RUN) summary --expect biome,tsc,unit,sim,chart,e2e || status=1; \
	exit $$status

.PHONY: test-static
test-static: deps
	@$(RUN) check biome -- npx biome check .
	@$(RUN) check tsc -- npx tsc --noEmit -p .

.PHONY: test-unit
test-unit: deps ## unit tests (seconds): pure logic, fake clocks, no cluster
	@$(RUN) run unit --parallel 2 --timeout $(UNIT_TIMEOUT) $(UNIT_TESTS)

.PHONY: test-sim
test-sim: deps ## long simulations (minutes): the agent's 200-member cluster
	@$(RUN) run sim --timeout $(SIM_TIMEOUT) $(SIM_TESTS)

.PHONY: test-chart
test-chart: deps helm ## helm lint and rendering tests
	@$(RUN) run chart --timeout $(CHART_TIMEOUT) 'charts/tests/*.test.ts'

.PHONY: test-e2e
test-e2e: deps cluster-up ## e2e suites on the shared local cluster, a namespace per test
	@hack/e2e-preflight.sh
	@$(RUN) run e2e --parallel $(E2E_LANES) --output all --timeout $(E2E_TIMEOUT) $(E2E_TESTS)

# Not part of `make test`: a check of the unit tests themselves (docs/testing.md).
.PHONY: test-mutations
test-mutations: deps ## one-line mutations of operator/ and agent/ (hack/mutations.yaml) against the unit tests; lists the survivors
	@node hack/mutations.ts $(MUTATION_FLAGS) $(MUTATION_TESTS)

# ---- local cluster -----------------------------------------------------------------------------------------------
.PHONY: binaries
binaries: ## build (once, cached under ~/.cache) etcd, kube-apiserver, controller-manager, scheduler, kubectl
	@local-cluster/build-binaries.sh >/dev/null

.PHONY: cluster-up
cluster-up: deps binaries ## start the local control plane and kubelet stand-in, a network namespace per pod (idempotent)
	@node local-cluster/cli.ts up

.PHONY: cluster-down
cluster-down: ## stop every process cluster-up started, remove its pod network (namespaces, veths, bridge) and state
	@node local-cluster/cli.ts down

.PHONY: cluster-status
cluster-status: ## the local cluster's processes (pid, running or not) and its API server address
	@node local-cluster/cli.ts status

.PHONY: operator-up
operator-up: deps cluster-up ## run the operator from source against .cluster/kubeconfig (logs in .cluster/logs)
	@node local-cluster/cli.ts operator-up

.PHONY: operator-down
operator-down: ## stop the operator started by operator-up
	@node local-cluster/cli.ts operator-down

# ---- install like users do ---------------------------------------------------------------------------------------
.PHONY: helm
helm: ## the Helm binary, cached under ~/.cache
	@local-cluster/ensure-helm.sh >/dev/null

.PHONY: helm-install
helm-install: deps cluster-up helm ## install the chart into the local cluster (image pekko-bootstrap-operator:dev)
	@hack/helm-install.sh

.PHONY: demo
demo: deps ## local cluster, chart, a 3-pod ClusterBootstrap; waits for Formed and shows `kubectl get cb`
	@hack/demo.sh

.PHONY: images
images: ## container images for the operator and the agent (needs a Docker engine)
	@hack/images.sh

.PHONY: bench
bench: deps cluster-up ## benchmarks in bench/ (figures go to bench/results/; bench/README.md)
	@for b in bench/*.bench.ts; do node $$b || exit 1; done

BENCH_SCALE_ARGS ?= --n 100
.PHONY: bench-scale
bench-scale: deps cluster-up ## N resources x 3 pods: ours and the Go peer (BENCH_SCALE_ARGS='--n 100,300,1000')
	@node bench/scale.bench.ts $(BENCH_SCALE_ARGS)

.PHONY: bench-operator
bench-operator: deps cluster-up ## apply -> children latency: floor, ours, the Go peer (bench/results/operator.md)
	@node bench/operator.bench.ts $(BENCH_OPERATOR_ARGS)

.PHONY: bench-peer
bench-peer: ## build the benchmarks' Go peer (bench/peer), cached under ~/.cache by a hash of its sources
	@bench/peer/build.sh >/dev/null

.PHONY: clean
clean: ## remove build output and test results (not the cached binaries)
	rm -rf dist .test-results
