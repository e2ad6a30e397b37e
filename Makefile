# SPDX-License-Identifier: GPL-2.0
# The commands people type. Kbuild variables live in Kbuild.
#
#   make                  module + reader, against KDIR
#   make demo             boot a VM and print a boot timeline (no cloud needed)
#   make check            every test: lint, unit, fuzz, dkms, VM boots, reader, A/B
#   make bench            benchmarks, written to docs/performance.md
#   make dkms-install     register, build and install the module with dkms
#   make dkms-uninstall   remove it from dkms and from every kernel
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
DKMS_SRC := /usr/src/bootstamps-$(VERSION)
# Files dkms needs to build the module; nothing else is copied.
DKMS_FILES := Kbuild dkms.conf module

all: module reader

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

reader:
	$(MAKE) -C userspace

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace clean

dkms-install:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r $(DKMS_FILES) $(DKMS_SRC)/
	dkms status -m bootstamps -v $(VERSION) | grep -q . || dkms add -m bootstamps -v $(VERSION)
	dkms build -m bootstamps -v $(VERSION) -k $(KVER)
	dkms install -m bootstamps -v $(VERSION) -k $(KVER) --force
	@echo "bootstamps $(VERSION) installed for $(KVER): modprobe bootstamps && cat /proc/bootstamps"

dkms-uninstall:
	-dkms remove -m bootstamps -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

demo:
	tests/vm/run.sh cloud-amd64 --demo

check:
	tests/check.sh

lint:
	tests/lint.sh

bench:
	tests/bench/run.sh

unit:
	tests/unit/run.sh

.PHONY: all module reader clean dkms-install dkms-uninstall demo check lint unit bench
