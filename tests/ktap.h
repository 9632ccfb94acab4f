/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktap.h - a tiny KTAP writer for the guest-side test programs
 *
 * One program prints one KTAP document on standard output:
 *
 *	KTAP version 1
 *	1..N
 *	# a diagnostic line
 *	ok 1 name
 *	not ok 2 name # reason
 *	ok 3 name # SKIP reason
 *
 * Standard output is line buffered, so that the lines reach the host in
 * order even when the program forks (a child must leave with _exit()).
 */
#ifndef FORTUNE_KTAP_H
#define FORTUNE_KTAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Results promised by the plan, and results printed so far. */
static unsigned int ktap_planned, ktap_printed;

/* Prints the version line and the plan of @count results. */
static inline void ktap_start(unsigned int count)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_planned = count;
	ktap_printed = 0;
	printf("KTAP version 1\n1..%u\n", count);
}

/* Copies @text into @out as one line: a newline or '#' would end it. */
static inline void ktap_one_line(char *out, size_t size, const char *text)
{
	size_t i;

	for (i = 0; i + 1 < size && text[i]; i++)
		out[i] = (text[i] == '\n' || text[i] == '\r' ||
			  text[i] == '#') ? ' ' : text[i];
	out[i] = '\0';
}

/* Prints one "# " diagnostic line. */
static inline void ktap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline void ktap_diag(const char *fmt, ...)
{
	char text[1024], line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ktap_one_line(line, sizeof(line), text);
	printf("# %s\n", line);
}

/*
 * Prints the next result.  @directive is NULL, "SKIP", or NULL with a
 * @reason for a failure ("not ok N name # reason").
 */
static inline void ktap_result(int ok, const char *name,
			       const char *directive, const char *reason)
{
	char why[512];

	ktap_one_line(why, sizeof(why), reason ? reason : "");
	ktap_printed++;
	printf("%s %u %s", ok ? "ok" : "not ok", ktap_printed, name);
	if (directive)
		printf(" # %s%s%s", directive, why[0] ? " " : "", why);
	else if (why[0])
		printf(" # %s", why);
	printf("\n");
	fflush(stdout);
}

static inline void ktap_pass(const char *name)
{
	ktap_result(1, name, NULL, NULL);
}

static inline void ktap_fail(const char *name, const char *reason)
{
	ktap_result(0, name, NULL, reason);
}

static inline void ktap_skip(const char *name, const char *reason)
{
	ktap_result(1, name, "SKIP", reason);
}

/* Says so if the results printed do not match the plan. */
static inline int ktap_finish(void)
{
	if (ktap_printed != ktap_planned) {
		ktap_diag("planned %u results, printed %u", ktap_planned,
			  ktap_printed);
		return 1;
	}
	return 0;
}

#endif /* FORTUNE_KTAP_H */
