# xai: two commands on a fresh Debian machine:
#   make demo   builds the release binary and runs Experiments/quickstart.yaml
#   make test   runs the test suite
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev libpng-dev libjpeg-dev pkg-config
RELEASE_FLAGS := -c release
TEST_FLAGS := -c release -Xswiftc -enable-testing

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

test: deps
	$(SWIFT) test $(TEST_FLAGS)

bench: build
	$(SWIFT) run $(RELEASE_FLAGS) --skip-build xai bench

clean:
	rm -rf .build
