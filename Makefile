# D&D BitTorrent: make build | run | node | peer | test | install | format | bench | images | screenshots
SHELL := /bin/bash
.DEFAULT_GOAL := build

.PHONY: build run node peer test install format bench images screenshots clean

build:
	@source scripts/env.sh && dotnet build BitTorrent.sln -c Release --nologo -v q

run:
	@scripts/run.sh

node:
	@scripts/node.sh

peer:
	@scripts/peer.sh

# Installs what the suites need (scripts/install.sh), then runs them all (scripts/test.sh); the last line is
# "N passed, N failed" either way. SUITES="unit simulation" runs only those.
test:
	@scripts/install.sh || { echo "0 passed, 1 failed"; exit 1; }
	@scripts/test.sh $(SUITES)

install:
	@scripts/install.sh

# Rewrites the code to the style of .editorconfig (make test checks it with --verify-no-changes).
format:
	@source scripts/env.sh && dotnet format BitTorrent.sln

bench:
	@scripts/bench.sh

images:
	@scripts/images.sh

# The browser suite, saving its screenshots into docs/screenshots/ (the README's pictures).
screenshots:
	@scripts/install.sh && SCREENSHOTS_DIR=docs/screenshots scripts/test.sh browser

clean:
	@rm -rf artifacts .run; find services tests bench -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
