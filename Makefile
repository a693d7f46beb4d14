# vgpu: the user's entry point. `make run` boots a guest on the vgpu; `make check` builds and runs every test.
# Everything below installs what it needs (scripts/install-deps.sh) and is incremental the second time.

SUITES ?= unit asan fuzz device guest mesa
QEMU := build-qemu/qemu-system-x86_64
FUZZ_SECONDS ?= 600

.PHONY: all build build-asan qemu mesa module deps check $(addprefix check-,unit asan fuzz device guest mesa) \
        bench fuzz fuzz-ioctl run clean help

all: build

help:
	@echo "make run          build what is missing, boot a guest on the vgpu, show or save its display"
	@echo "make check        build and run every test suite ($(SUITES)); ends with 'N passed, N failed'"
	@echo "make check-SUITE  one suite: unit, asan, fuzz, device, guest, mesa"
	@echo "make bench        benchmarks, reported as ratios against baselines measured in the same run"
	@echo "make fuzz         long libFuzzer runs and the device fuzzer (FUZZ_SECONDS=$(FUZZ_SECONDS) each)"
	@echo "make fuzz-ioctl   vgpu.ko's ioctl fuzzer in a guest for FUZZ_SECONDS (seed: VGPU_FUZZ_SEED)"

# Every Debian package any suite needs (scripts/packages/*.txt); a no-op once installed.
deps:
	@scripts/install-deps.sh build qemu guest kernel mesa

build/build.ninja: | deps
	meson setup build

# The sanitizer build: clang, ASan + UBSan, and the libFuzzer targets.
build-asan/build.ninja: | deps
	CC=clang meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzers=true

build: build/build.ninja
	ninja -C build

build-asan: build-asan/build.ninja
	ninja -C build-asan

# QEMU 7.2 from Debian's source package with vgpu-pci (fetched on first use, then incremental).
qemu: build
	@scripts/build-qemu.sh

# Mesa 22.3.6 from Debian's source package with our gallium driver (mesa/) and its drm-shim, into build-mesa/
# (fetched on first use, then incremental; docs/mesa.md).
mesa: build
	@scripts/build-mesa.sh

# vgpu.ko against the guest kernel's headers (the kernel vgpu-vm boots), into build/kernel/.
module: deps
	@scripts/build-kernel-module.sh build/kernel

run: build qemu module
	@scripts/run.sh

check: build build-asan qemu mesa
	@scripts/check.sh $(SUITES)

check-unit: build
	@scripts/check.sh unit
check-asan: build-asan
	@scripts/check.sh asan
check-fuzz: build-asan
	@scripts/check.sh fuzz
check-device: build qemu
	@scripts/check.sh device
check-guest: build qemu
	@scripts/check.sh guest
check-mesa: build mesa
	@scripts/check.sh mesa

bench: build
	@scripts/bench.sh

fuzz: build-asan build qemu
	@scripts/fuzz.sh $(FUZZ_SECONDS)

# The guest submission test with its ioctl fuzzer run for FUZZ_SECONDS instead of 20 s (no meson timeout).
fuzz-ioctl: build qemu
	VGPU_FUZZ_SECONDS=$(FUZZ_SECONDS) meson test -C build --suite guest 'vgpu.ko submission' \
		--timeout-multiplier 0 --print-errorlogs

clean:
	rm -rf build build-asan build-qemu build-mesa
