# xinyong — the set-up commands. Every target installs what is missing first (scripts/install-deps, apt only).
#   make build   release build, binary at build/xinyong
#   make test    Debug + ASan/UBSan build, layer check, fuzz smoke runs, every ctest suite
#   make bench   release build, runs the benchmarks under bench/
#   make fuzz    long libFuzzer runs (FUZZ_SECONDS each, default 60)
#   make format  clang-format over the tree;  make lint  clang-tidy over src/

JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CMAKE_GEN := -G Ninja
FUZZ_CXX := clang++-19

.PHONY: deps build test bench fuzz fuzz-build format lint clean

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B build $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j $(JOBS)

fuzz-build: deps
	cmake -S . -B build-fuzz $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) -DXY_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target fuzz_targets

test: deps fuzz-build
	cmake -S . -B build-asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DXY_SANITIZE=ON \
	  -DXY_FUZZ_BIN_DIR=$(CURDIR)/build-fuzz/fuzz >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

bench: build
	cmake --build build -j $(JOBS) --target benchmarks
	@for b in build/bench/bench_*; do echo "== $$b"; $$b || exit 1; done

fuzz: fuzz-build
	@for f in build-fuzz/fuzz/fuzz_*; do \
	  name=$$(basename $$f); mkdir -p build-fuzz/corpus/$$name; \
	  echo "== $$name ($(FUZZ_SECONDS) s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/$$name fuzz/corpus/$$name || exit 1; \
	done

format: deps
	git ls-files '*.h' '*.cc' | xargs clang-format -i

lint: build
	git ls-files 'src/*.cc' | xargs clang-tidy -p build --quiet

clean:
	rm -rf build build-asan build-fuzz
