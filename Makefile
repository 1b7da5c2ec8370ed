# xai: two commands on a fresh Debian machine:
#   make demo   builds the release binary and runs Experiments/quickstart.yaml
#   make test   runs the test suite
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev libpng-dev libjpeg-dev pkg-config
# Like -march=native in C builds: on an x86-64 CPU with AVX2 and FMA the Swift code is compiled
# for this machine (the engine's vector loops get 8/16-wide registers and fused multiply-adds,
# about 10% off a forward pass). XAI_PORTABLE=1 builds for the generic x86-64 baseline.
CPU_FLAGS := $(shell if [ "$$XAI_PORTABLE" != "1" ] && [ "$$(uname -m)" = "x86_64" ] \
  && grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null; then \
  echo "-Xswiftc -target-cpu -Xswiftc native -Xswiftc -DXAI_FMA"; fi)
RELEASE_FLAGS := -c release $(CPU_FLAGS)
TEST_FLAGS := -c release -Xswiftc -enable-testing $(CPU_FLAGS)

.PHONY: deps build demo test bench clean

# Installs the C libraries when run as root; otherwise prints the exact line to run.
deps:
	@missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"; \
	for pc in openblas libpng16 libjpeg; do \
	  pkg-config --exists $$pc 2>/dev/null || missing="$$missing $$pc"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "xai: installing $(APT_PACKAGES) (missing:$$missing)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null || exit 1; \
	  else \
	    echo "xai: missing system libraries:$$missing. Run:"; \
	    echo "  sudo apt-get install -y $(APT_PACKAGES)"; \
	    exit 1; \
	  fi; \
	fi
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "xai: swift not found (install Swift 6.x and put it on PATH)"; exit 1; }

build: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product xai

demo: build
	$(SWIFT) run $(RELEASE_FLAGS) --skip-build xai run Experiments/quickstart.yaml

# The viewer's browser test needs Debian's chromium; it skips (saying so) without it.
test: deps
	@command -v chromium >/dev/null 2>&1 || { if [ "$$(id -u)" = "0" ]; then \
	  echo "xai: installing chromium (the viewer's headless-browser test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || exit 1; \
	else echo "xai: chromium missing, the browser test will be skipped; to run it: sudo apt-get install -y chromium"; fi; }
	$(SWIFT) test $(TEST_FLAGS)

bench: build
	$(SWIFT) run $(RELEASE_FLAGS) --skip-build xai bench

clean:
	rm -rf .build
