# Wallet platform. `make` lists the targets.
SHELL := /bin/bash
GO ?= go
PKGS := ./...
# Integration tests use this PostgreSQL (each test gets its own schema).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export TEST_DATABASE_URL

.DEFAULT_GOAL := help

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## run the server (embedded SQLite in ./var unless DATABASE_URL is set)
	$(GO) run ./cmd/wallet serve

build: ## build bin/wallet
	CGO_ENABLED=0 $(GO) build -o bin/wallet ./cmd/wallet

test: ## unit + integration tests with -race (needs PostgreSQL at TEST_DATABASE_URL)
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

test-short: ## unit tests only, no database server
	$(GO) test -short -race -count=1 $(PKGS)

fuzz: ## run every fuzz target for FUZZTIME each (default 60s)
	@for t in "FuzzParse ./domain/qris" "FuzzParseNIK ./domain/kyc" "FuzzNormalize ./adapters/phone" "FuzzDecode ./adapters/rest" "FuzzParseStatuses ./adapters/notify/whatsapp" "FuzzDecode ./adapters/snap" "FuzzRESTStack ./adapters/rest" "FuzzGraphQL ./graph"; do \
		set -- $$t; echo "== $$1 $$2"; $(GO) test -run='^$$' -fuzz="^$$1$$" -fuzztime=$${FUZZTIME:-60s} $$2 || exit 1; done

generate: ## regenerate gqlgen and wire code (and the browser assets when web/ changed)
	$(GO) tool gqlgen generate
	$(GO) tool wire ./cmd/wallet
	@scripts/assets.sh

assets: ## rebuild the embedded browser assets (GraphiQL, Swagger UI) from npm
	scripts/assets.sh --force

lint: ## vet, gofmt and the dependency rule (domain imports no infrastructure)
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	@scripts/check-deps.sh

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

migrate: ## apply migrations to DATABASE_URL (or the embedded store)
	$(GO) run ./cmd/wallet migrate

chaos: ## the fault tests of internal/faulttest in the long profile (10 kill rounds per store, more load)
	WALLET_CHAOS=1 $(GO) test -race -count=1 -timeout 30m -v ./internal/faulttest/

bench: ## load benchmark (SPEC §10) on a fresh PostgreSQL database; flags via BENCHFLAGS="-duration 5s"; rewrites README's table
	$(GO) run ./cmd/walletbench $(BENCHFLAGS)
	$(GO) run ./cmd/walletbench -readme

check: lint test ## lint and test

.PHONY: help run build test test-short fuzz generate assets lint fmt migrate chaos bench check
