# SPDX-License-Identifier: GPL-2.0
# The commands people type. Kbuild variables live in Kbuild.
#
#   make                  module + reader, against KDIR
#   make demo             boot a VM and print a boot timeline (no cloud needed)
#   make check            what CI runs: lint, unit, fuzz, dkms, VM boots, reader,
#                         A/B, install-and-boot; TIER2=LANE adds a tier-2 lane
#   make check-all        make check and every tier-2 lane (tests/check.sh)
#   make check-qemu       boot every tested kernel many times: does QEMU crash it?
#   make pin              move tests/pins.txt to what the mirror serves now
#   make matrix           build, install and boot every tested kernel; writes
#                         the README's tested-kernels table
#   make bench            benchmarks, written to docs/performance.md
#   make install          install for every boot: dkms module, reader, early
#                         loading from the initramfs, every boot archived
#   make uninstall        remove all of it (archived boots are kept)
#   make check-system     install into a Debian system and boot it (VMs)
#   make check-debug      build a KASAN/lockdep/kmemleak/KUnit kernel from
#                         linux-source-6.1 and run every VM case on it
#   make dkms-install     register, build and install the module with dkms
#   make dkms-uninstall   remove it from dkms and from every kernel
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
DKMS_SRC := /usr/src/bootstamps-$(VERSION)

all: module reader

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

reader:
	$(MAKE) -C userspace

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace clean

install:
	sh dist/install.sh install

uninstall:
	sh dist/install.sh uninstall

dkms-install:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/module
	cp Kbuild dkms.conf dist/dkms-post-install $(DKMS_SRC)/
	cp module/*.[ch] $(DKMS_SRC)/module/
	dkms status -m bootstamps -v $(VERSION) | grep -q . || dkms add -m bootstamps -v $(VERSION)
	dkms build -m bootstamps -v $(VERSION) -k $(KVER)
	BOOTSTAMPS_INSTALLING=1 dkms install -m bootstamps -v $(VERSION) -k $(KVER) --force
	@echo "bootstamps $(VERSION) installed for $(KVER): modprobe bootstamps && cat /proc/bootstamps"

dkms-uninstall:
	-dkms remove -m bootstamps -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

# Each test target first installs what it needs (tests/deps.sh: Debian's
# packages only, nothing into the host's kernel areas).
demo:
	tests/deps.sh demo
	tests/demo.sh

check:
	tests/deps.sh check
	tests/check.sh check $(TIER2)

check-all:
	tests/deps.sh all
	tests/check.sh all

check-qemu:
	tests/deps.sh vm
	tests/qemu-repro.sh $(BOOTS)

check-system:
	tests/deps.sh system
	tests/system/run.sh

check-debug:
	tests/deps.sh debug
	tests/vm/run.sh debug

matrix:
	tests/deps.sh matrix
	tests/matrix.sh

pin:
	tests/pin.sh $(KERNELS)

lint:
	tests/deps.sh lint
	tests/lint.sh

bench:
	tests/deps.sh bench
	tests/bench/run.sh

unit:
	tests/deps.sh unit
	tests/unit/run.sh

.PHONY: all module reader clean install uninstall check-system check-debug check-all check-qemu matrix pin dkms-install dkms-uninstall demo check lint unit bench
