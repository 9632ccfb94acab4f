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

# Secure Boot: the key and certificate (PEM or DER) that `make sign`
# signs fortune.ko with, and `make install` too when MOK_KEY is set and
# the kernel checks signatures at all (its .config names a hash).
# DKMS's own pair by default, when there is one (see README.md).
MOK_KEY	?= $(if $(wildcard /var/lib/dkms/mok.key),/var/lib/dkms/mok.key)
MOK_CERT ?= $(if $(MOK_KEY),$(if $(wildcard /var/lib/dkms/mok.pub),/var/lib/dkms/mok.pub))
# The kernel's own tool, and the hash its configuration asks for.
SIGN_FILE ?= $(KDIR)/scripts/sign-file
SIG_HASH = $(shell sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"/\1/p' \
	     $(KDIR)/.config 2>/dev/null)

.PHONY: all modules fortunectl clean install uninstall check demo vm bench \
	profile lint prove prove-step deb kdir sign

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
	$(if $(and $(MOK_KEY),$(SIG_HASH)),$(MAKE) sign)
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=extra modules_install
	rm -f $(MODDIR)/fortune_kunit.ko $(MODDIR)/fortune_kunit.ko.*
	[ -n "$(DESTDIR)" ] || depmod -a $(KRELEASE)
	install -D -m 0755 fortunectl/fortunectl $(DESTDIR)$(PREFIX)/bin/fortunectl

# Signs the fortune.ko that `make` built, in place, with the kernel's
# scripts/sign-file; a signature already there (an earlier `make sign`)
# is cut off first: its trailer is the signature, a 12-byte descriptor
# whose last 4 bytes are the signature's length, big-endian, and a
# 28-byte magic string.  Not a prerequisite of `modules`, so that it signs
# what is there rather than rebuilding it.
sign: kdir
	@[ -f fortune.ko ] || { echo "fortune: no fortune.ko to sign: run make first" >&2; exit 1; }
	@[ -n "$(MOK_KEY)" ] && [ -n "$(MOK_CERT)" ] || { echo "fortune: no signing key: make sign MOK_KEY=key.pem MOK_CERT=cert.der (DKMS's /var/lib/dkms/mok.key and mok.pub when they exist)" >&2; exit 1; }
	@[ -n "$(SIG_HASH)" ] || { echo "fortune: $(KDIR)/.config has no CONFIG_MODULE_SIG_HASH: this kernel does not check module signatures" >&2; exit 1; }
	@[ -x "$(SIGN_FILE)" ] || { echo "fortune: no $(SIGN_FILE): point SIGN_FILE= at the kernel's scripts/sign-file" >&2; exit 1; }
	@if tail -c 28 fortune.ko | grep -q '~Module signature appended~'; then \
		len=$$(tail -c 32 fortune.ko | head -c 4 | od -An -tu1 | \
			awk '{ print (($$1 * 256 + $$2) * 256 + $$3) * 256 + $$4 }'); \
		truncate -s $$(($$(stat -c %s fortune.ko) - 40 - len)) fortune.ko; \
	fi
	$(SIGN_FILE) $(SIG_HASH) $(MOK_KEY) $(MOK_CERT) fortune.ko
	@echo "fortune: fortune.ko signed ($(SIG_HASH)) with $(MOK_CERT)"

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

# perf and ftrace in the guest over the write path (tests/profile.sh).
profile:
	scripts/profile.sh

lint:
	scripts/lint.sh

# CBMC on the pot (proofs/), then on three planted bugs, which must fail.
prove:
	tests/host/prove.sh && tests/host/prove-mutants.sh

# The inductive step of the pot's proofs (README, "The pot's proofs"): runs
# that gave a verdict are kept in SPLIT_CACHE (proofs/split.sh), so that
# the list, hours long, goes on where it stopped; SPLIT_CACHE= proves all.
FORTUNE_CACHE ?= /var/cache/fortune-ko
SPLIT_CACHE ?= $(FORTUNE_CACHE)/proofs
prove-step:
	SPLIT_CACHE=$(SPLIT_CACHE) PROVE_LIST=proofs/STEP \
		PROVE_OUT=build/prove-step tests/host/prove.sh
