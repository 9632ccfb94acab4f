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
USER_CFLAGS = -Wall -Wextra -Werror -I$(CURDIR)

.PHONY: all modules fortunectl clean install uninstall check demo vm bench lint prove

all: modules fortunectl

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

fortunectl: fortunectl/fortunectl

fortunectl/fortunectl: fortunectl/fortunectl.c fortune.h
	$(CC) $(CFLAGS) $(USER_CFLAGS) -o $@ $<

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -f fortunectl/fortunectl

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	[ -n "$(DESTDIR)" ] || depmod -a $(KRELEASE)
	install -D -m 0755 fortunectl/fortunectl $(DESTDIR)$(PREFIX)/bin/fortunectl

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KRELEASE)/extra/fortune.ko \
	      $(DESTDIR)/lib/modules/$(KRELEASE)/updates/fortune.ko
	[ -n "$(DESTDIR)" ] || depmod -a $(KRELEASE)
	rm -f $(DESTDIR)$(PREFIX)/bin/fortunectl

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
