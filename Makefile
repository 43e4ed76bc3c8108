# D&D BitTorrent: make build | run | node | peer | test | bench | images | screenshots
SHELL := /bin/bash
.DEFAULT_GOAL := build

.PHONY: build run node peer test bench images screenshots clean

build:
	@source scripts/env.sh && dotnet build BitTorrent.sln -c Release --nologo -v q

run:
	@scripts/run.sh

node:
	@scripts/node.sh

peer:
	@scripts/peer.sh

test:
	@scripts/test.sh

bench:
	@scripts/bench.sh

images:
	@scripts/images.sh

# The browser suite, saving its screenshots into docs/screenshots/ (the README's pictures).
screenshots:
	@SCREENSHOTS_DIR=docs/screenshots scripts/test.sh tests/BitTorrent.BrowserTests

clean:
	@rm -rf artifacts .run; find services tests bench -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
