# SPDX-License-Identifier: GPL-2.0
#
# A thin wrapper around kbuild, plus the user-space tool and the test
# harness.  `make` builds fortune.ko against the running kernel's headers;
# KDIR= points it at another tree.

KDIR	?= /lib/modules/$(shell uname -r)/build
DESTDIR	?=
PREFIX	?= /usr/local
# The release the module is built for.  Not `make kernelrelease`: Debian's
# headers answer that with the upstream version (6.1.192), not 6.1.0-57-amd64.
KRELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	     $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

CFLAGS	?= -O2 -g
# fortunectl's warnings are errors here; the package build says WERROR=.
WERROR	?= -Werror
USER_CFLAGS = -Wall -Wextra $(WERROR) -I$(CURDIR)

# Where `make install` puts the module, under /lib/modules/RELEASE.
MODDIR	= $(DESTDIR)/lib/modules/$(KRELEASE)/extra

.PHONY: all modules fortunectl clean install uninstall check demo vm bench \
	lint prove deb kdir

all: modules fortunectl

# Say what is missing rather than let kbuild fail on a missing directory.
kdir:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "fortune: no kernel build tree in $(KDIR)." >&2; \
		if [ "$(KDIR)" = "/lib/modules/$$(uname -r)/build" ]; then \
			echo "fortune: install the running kernel's headers (on Debian: apt install linux-headers-$$(uname -r)), or build for another kernel with make KDIR=/path/to/its/build/tree" >&2; \
		else \
			echo "fortune: point KDIR= at a configured kernel tree or at the headers package's build directory" >&2; \
		fi; \
		exit 1; \
	fi

modules: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

fortunectl: fortunectl/fortunectl

fortunectl/fortunectl: fortunectl/fortunectl.c fortune.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(USER_CFLAGS) $(LDFLAGS) -o $@ $<

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -f fortunectl/fortunectl

# kbuild's modules_install (which signs and compresses as the kernel is
# configured to) installs every module built, and on a kernel with KUnit
# that includes fortune_kunit.ko: a test module, which a user's module
# tree does not get.  So it is removed right after.
install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=extra modules_install
	rm -f $(MODDIR)/fortune_kunit.ko $(MODDIR)/fortune_kunit.ko.*
	[ -n "$(DESTDIR)" ] || depmod -a $(KRELEASE)
	install -D -m 0755 fortunectl/fortunectl $(DESTDIR)$(PREFIX)/bin/fortunectl

# Also fortune_kunit.ko, which older versions installed.
uninstall:
	rm -f $(MODDIR)/fortune.ko $(MODDIR)/fortune.ko.* \
	      $(MODDIR)/fortune_kunit.ko $(MODDIR)/fortune_kunit.ko.*
	[ -n "$(DESTDIR)" ] || depmod -a $(KRELEASE)
	rm -f $(DESTDIR)$(PREFIX)/bin/fortunectl

# fortune-dkms_VERSION_all.deb and fortunectl_VERSION_ARCH.deb in build/deb,
# built with dpkg-buildpackage in a scratch copy of the tree (scripts/deb.sh).
deb:
	scripts/deb.sh

# Everything below boots real kernels under QEMU: see scripts/.
check:
	scripts/check.sh

demo:
	scripts/run.sh demo

vm:
	scripts/run.sh shell

bench:
	scripts/bench.sh

lint:
	scripts/lint.sh

# CBMC on the pot (proofs/), then on three planted bugs, which must fail.
prove:
	tests/host/prove.sh && tests/host/prove-mutants.sh
