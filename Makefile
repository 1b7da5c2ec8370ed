# xai: two commands on a fresh Debian machine:
#   make demo   builds the release binary and runs Experiments/quickstart.yaml
#   make test   runs the test suite
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev libpng-dev libjpeg-dev pkg-config
SLURM_PACKAGES := slurmctld slurmd slurm-client
# Like -march=native in C builds: on an x86-64 CPU with AVX2 and FMA the Swift code is compiled
# for this machine (the engine's vector loops get 8/16-wide registers and fused multiply-adds,
# about 10% off a forward pass). XAI_PORTABLE=1 builds for the generic x86-64 baseline.
CPU_FLAGS := $(shell if [ "$$XAI_PORTABLE" != "1" ] && [ "$$(uname -m)" = "x86_64" ] \
  && grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null; then \
  echo "-Xswiftc -target-cpu -Xswiftc native -Xswiftc -DXAI_FMA"; fi)
RELEASE_FLAGS := -c release $(CPU_FLAGS)
TEST_FLAGS := -c release -Xswiftc -enable-testing $(CPU_FLAGS)

PREFIX ?= /usr/local

.PHONY: deps build demo test bench fuzz install uninstall clean

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

# The viewer's browser test needs Debian's chromium and the `xai slurm` test a one-node Slurm
# (tools/slurm-cluster.sh); each skips (saying so) without its packages.
test: deps
	@command -v chromium >/dev/null 2>&1 || { if [ "$$(id -u)" = "0" ]; then \
	  echo "xai: installing chromium (the viewer's headless-browser test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || exit 1; \
	else echo "xai: chromium missing, the browser test will be skipped; to run it: sudo apt-get install -y chromium"; fi; }
	@export PATH="$$PATH:/usr/sbin:/sbin"; command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v sbatch >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	  echo "xai: installing $(SLURM_PACKAGES) (the one-node cluster of the xai slurm test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SLURM_PACKAGES) >/dev/null || exit 1; \
	else echo "xai: Slurm missing, the cluster test will be skipped; to run it: sudo apt-get install -y --no-install-recommends $(SLURM_PACKAGES)"; fi; }
	$(SWIFT) test $(TEST_FLAGS)

# Puts xai on PATH (PREFIX/bin), the model cards where it finds them from any folder
# (PREFIX/share/xai/Weights) and shell completions for bash, zsh and fish.
install: build
	@bin="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"; \
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/xai/Weights" \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
	  "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d" && \
	install -m 755 "$$bin/xai" "$(DESTDIR)$(PREFIX)/bin/xai" && \
	install -m 644 Weights/* "$(DESTDIR)$(PREFIX)/share/xai/Weights/" && \
	"$$bin/xai" --generate-completion-script bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/xai" && \
	"$$bin/xai" --generate-completion-script zsh > "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_xai" && \
	"$$bin/xai" --generate-completion-script fish > "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/xai.fish" && \
	echo "xai: installed $(DESTDIR)$(PREFIX)/bin/xai (models in $(PREFIX)/share/xai/Weights, completions for bash, zsh, fish)"

uninstall:
	rm -rf "$(DESTDIR)$(PREFIX)/bin/xai" "$(DESTDIR)$(PREFIX)/share/xai" \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/xai" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_xai" \
	  "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/xai.fish"

bench: build
	$(SWIFT) run $(RELEASE_FLAGS) --skip-build xai bench

# libFuzzer over the experiment loader, ONNX importer, PNG/JPEG decoders and NPY reader:
# SECONDS (default 60) per target; see fuzz/run.sh. Built apart (fuzz/Package.swift) with sanitizers.
SECONDS ?= 60
fuzz: deps
	SWIFT=$(SWIFT) fuzz/run.sh $(SECONDS)

clean:
	rm -rf .build
