# Codis for .NET — build and test entry points (see README.md).
#   make              build every binary in Release into ./bin/
#   make quickstart   build, then start a local cluster (scripts/quickstart.sh; BASE_PORT=19100 shifts its ports,
#                     ARGS=--fresh wipes its state) until Ctrl-C
#   make test         install test prerequisites if missing, build, run every test, print "N passed, N failed"
#   make bench-server compare codis-server with redis-server under redis-benchmark (bench/server.sh)
#   make bench-proxy  compare codis-proxy with twemproxy and a direct backend under redis-benchmark (bench/proxy.sh)
#   make clean        remove build output

DOTNET ?= dotnet
BIN := $(CURDIR)/bin
BINARIES := src/Codis.Server src/Codis.Proxy src/Codis.Dashboard src/Codis.Admin src/Codis.Fe

.PHONY: all build quickstart test deps bench-server bench-proxy clean format

all: build

build:
	@command -v npm >/dev/null 2>&1 || { echo "make: codis-fe's build installs uPlot with npm, which is missing: run 'make deps' as root (or apt-get install npm)"; exit 1; }
	@for p in $(BINARIES); do \
		$(DOTNET) publish $$p -c Release -o $(BIN) --nologo -v quiet -p:UseAppHost=true || exit 1; \
	done
	@echo "built: $$(ls $(BIN) | grep -E '^codis-[a-z]+$$' | tr '\n' ' ')"

quickstart: build
	@scripts/quickstart.sh $(if $(BASE_PORT),--base-port=$(BASE_PORT)) $(ARGS)

deps:
	@scripts/install-deps.sh

test: deps build
	@scripts/run-tests.sh

bench-server: build
	@bench/server.sh

bench-proxy: build
	@bench/proxy.sh

format:
	$(DOTNET) format Codis.slnx

clean:
	rm -rf $(BIN) artifacts .test-results
	find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
