// SPDX-License-Identifier: GPL-2.0
/*
 * fortunectl - fill and inspect the cookie pot behind /proc/fortune
 *
 *   fortunectl load FILE...   add every cookie of fortune files ('-': stdin)
 *   fortunectl stats          print the pot's statistics
 *   fortunectl clear          empty the pot
 *   fortunectl next           print the next cookie, like cat /proc/fortune
 *
 * Fortune files are the format of fortune(6): cookies separated by lines
 * that hold only '%'.  A cookie's text is every byte of the lines between
 * two separators, the newline of its last line included, and it goes to
 * the module in exactly one write().  The module drops that one trailing
 * newline and a read hands it back, so a cookie reads back byte for byte as
 * it stood in the file.  Empty cookies (two separators in a row, a leading
 * or trailing separator, a cookie that is one empty line) are skipped.
 *
 * Every command but "next" opens the file write-only, which takes no
 * cookie.  Only "stats" works for a user who may not write the file: it
 * then opens it for reading, which takes (and counts) one cookie.
 *
 * Exit status: 0 success, 1 failure, 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../fortune.h"

#define EXIT_USAGE	2

#define USAGE_LINE \
	"usage: fortunectl [-p PATH] {load FILE...|stats|clear|next}"

/* The file we talk to: /proc/fortune unless -p or FORTUNE_PROC says. */
static const char *pot_path = FORTUNE_PROC_PATH;

/* Cookies added by this run of "load", over all its files. */
static unsigned long loaded;

/* One fortune file being split into cookies. */
struct cookie_reader {
	FILE *in;
	const char *name;	/* as given on the command line */
	char *line;		/* the line getline() last read */
	size_t line_size;
	char *text;		/* the cookie being collected */
	size_t len;
	size_t size;
	unsigned long lineno;	/* lines read so far */
	unsigned long first;	/* line the current cookie starts on */
	unsigned long number;	/* cookies found so far, empty ones aside */
};

/* Bad usage: the cause and the usage on one line, then exit 2. */
static noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("fortunectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; " USAGE_LINE "\n", stderr);
	exit(EXIT_USAGE);
}

static void print_help(void)
{
	printf(USAGE_LINE "\n"
	       "\n"
	       "Commands:\n"
	       "  load FILE...  add each cookie of the fortune files, '-' for\n"
	       "                standard input; stops at the first refused one\n"
	       "  stats         print the pot's statistics, one 'name: value'\n"
	       "                per line\n"
	       "  clear         empty the pot and reset its cursor\n"
	       "  next          print the next cookie, like cat %s\n"
	       "\n"
	       "Options:\n"
	       "  -p, --proc PATH  use PATH instead of %s (also taken from\n"
	       "                   the FORTUNE_PROC environment variable)\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: 0 on success, 1 on failure, 2 on bad usage.\n",
	       FORTUNE_PROC_PATH, FORTUNE_PROC_PATH);
}

static void *xrealloc(void *ptr, size_t size)
{
	ptr = realloc(ptr, size);
	if (!ptr) {
		fprintf(stderr, "fortunectl: %s\n", strerror(ENOMEM));
		exit(EXIT_FAILURE);
	}
	return ptr;
}

static int open_pot(int flags)
{
	int fd = open(pot_path, flags | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "fortunectl: %s: %s%s\n", pot_path,
			strerror(err),
			err == ENOENT && !strcmp(pot_path, FORTUNE_PROC_PATH) ?
			" (is the fortune module loaded?)" : "");
	}
	return fd;
}

static int get_stats(int fd, struct fortune_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, FORTUNE_IOC_STATS, st);
}

/* A line that holds only '%' (CRLF files end theirs in "%\r\n"). */
static int is_separator(const char *line, size_t n)
{
	if (n == 0 || line[0] != '%')
		return 0;
	return n == 1 || (n == 2 && line[1] == '\n') ||
	       (n == 3 && line[1] == '\r' && line[2] == '\n');
}

/* The module refuses these, and there is nothing in them to keep. */
static int is_empty(const char *text, size_t len)
{
	return len == 0 || (len == 1 && text[0] == '\n');
}

/*
 * Collect the next non-empty cookie into r->text.  Returns 1 when there is
 * one, 0 at the end of the file, -1 on a read error (errno set).
 */
static int next_cookie(struct cookie_reader *r)
{
	r->len = 0;
	for (;;) {
		ssize_t n = getline(&r->line, &r->line_size, r->in);

		if (n < 0) {
			if (ferror(r->in))
				return -1;
			break;
		}
		r->lineno++;
		if (is_separator(r->line, n)) {
			if (!is_empty(r->text, r->len))
				break;
			r->len = 0;
			continue;
		}
		if (r->len == 0)
			r->first = r->lineno;
		if (r->size - r->len < (size_t)n) {
			r->size = r->len + n;
			if (r->size < 2 * r->len)
				r->size = 2 * r->len;
			r->text = xrealloc(r->text, r->size);
		}
		memcpy(r->text + r->len, r->line, n);
		r->len += n;
	}
	if (is_empty(r->text, r->len))
		return 0;
	r->number++;
	return 1;
}

/* The length the module stores: the text less one trailing newline. */
static size_t cookie_length(const struct cookie_reader *r)
{
	return r->len - (r->text[r->len - 1] == '\n');
}

/* Say in one line why the module refused the current cookie. */
static void report_refusal(int fd, const struct cookie_reader *r, int err)
{
	struct fortune_stats st;
	size_t len = cookie_length(r);
	int have_stats = get_stats(fd, &st) == 0;

	fprintf(stderr, "fortunectl: %s: cookie %lu (line %lu): %s",
		r->name, r->number, r->first, strerror(err));

	if (err == ENOSPC && have_stats)
		fprintf(stderr,
			" (%lu loaded; %llu of %llu bytes free, room for a cookie of %llu bytes, this one is %zu)",
			loaded, (unsigned long long)(st.capacity - st.used),
			(unsigned long long)st.capacity,
			(unsigned long long)st.largest, len);
	else if (err == ENOSPC)
		fprintf(stderr, " (%lu loaded)", loaded);
	else if (err == EFBIG && have_stats)
		fprintf(stderr,
			" (cookie is %zu bytes, pot capacity %llu with %d bytes of overhead per cookie)",
			len, (unsigned long long)st.capacity,
			FORTUNE_COOKIE_OVERHEAD);
	else if (err == EFBIG)
		fprintf(stderr, " (cookie is %zu bytes)", len);
	else if (err == EINVAL && memchr(r->text, '\0', r->len))
		fputs(" (cookie holds a NUL byte)", stderr);
	fputc('\n', stderr);
}

/* Add one cookie with one write(); the module takes all of it or none. */
static int add_cookie(int fd, const struct cookie_reader *r)
{
	ssize_t n;

	do {
		n = write(fd, r->text, r->len);
	} while (n < 0 && errno == EINTR);

	if (n < 0) {
		report_refusal(fd, r, errno);
		return -1;
	}
	if ((size_t)n != r->len) {
		fprintf(stderr,
			"fortunectl: %s: cookie %lu (line %lu): short write (%zd of %zu bytes)\n",
			r->name, r->number, r->first, n, r->len);
		return -1;
	}
	loaded++;
	return 0;
}

static int load_file(int fd, const char *name)
{
	struct cookie_reader r = { .name = name };
	int is_stdin = strcmp(name, "-") == 0;
	int ret = 0;
	int got;

	if (is_stdin) {
		r.in = stdin;
		r.name = "(stdin)";
	} else {
		r.in = fopen(name, "re");
		if (!r.in) {
			fprintf(stderr, "fortunectl: %s: %s\n", name,
				strerror(errno));
			return -1;
		}
	}

	while ((got = next_cookie(&r)) > 0) {
		ret = add_cookie(fd, &r);
		if (ret)
			break;
	}
	if (got < 0) {
		fprintf(stderr, "fortunectl: %s: line %lu: %s\n", r.name,
			r.lineno + 1, strerror(errno));
		ret = -1;
	}

	if (!is_stdin)
		fclose(r.in);
	free(r.line);
	free(r.text);
	return ret;
}

static int cmd_load(int argc, char **argv)
{
	int fd, i, ret = 0;

	if (argc < 1)
		usage_error("load needs at least one FILE ('-' for standard input)");

	/* Write only: opening for reading would take a cookie. */
	fd = open_pot(O_WRONLY);
	if (fd < 0)
		return EXIT_FAILURE;

	for (i = 0; i < argc && !ret; i++)
		ret = load_file(fd, argv[i]);

	close(fd);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int cmd_stats(void)
{
	struct fortune_stats st;
	int fd;

	/*
	 * Any open file may ask, but one open for reading takes a cookie:
	 * use that only when we may not open the pot for writing.
	 */
	fd = open(pot_path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open_pot(O_RDONLY);
	else if (fd < 0)
		fd = open_pot(O_WRONLY);
	if (fd < 0)
		return EXIT_FAILURE;

	if (get_stats(fd, &st)) {
		fprintf(stderr, "fortunectl: %s: statistics: %s\n", pot_path,
			strerror(errno));
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);

	printf("capacity: %llu\n", (unsigned long long)st.capacity);
	printf("used: %llu\n", (unsigned long long)st.used);
	printf("cookies: %llu\n", (unsigned long long)st.cookies);
	printf("served: %llu\n", (unsigned long long)st.served);
	printf("added: %llu\n", (unsigned long long)st.added);
	printf("refused: %llu\n", (unsigned long long)st.refused);
	printf("evicted: %llu\n", (unsigned long long)st.evicted);
	printf("largest: %llu\n", (unsigned long long)st.largest);
	return EXIT_SUCCESS;
}

static int cmd_clear(void)
{
	int fd = open_pot(O_WRONLY);
	int ret = EXIT_SUCCESS;

	if (fd < 0)
		return EXIT_FAILURE;
	if (ioctl(fd, FORTUNE_IOC_CLEAR)) {
		fprintf(stderr, "fortunectl: %s: clear: %s\n", pot_path,
			strerror(errno));
		ret = EXIT_FAILURE;
	}
	close(fd);
	return ret;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static int cmd_next(void)
{
	char buf[65536];
	ssize_t n;
	int fd = open_pot(O_RDONLY);

	if (fd < 0)
		return EXIT_FAILURE;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (write_all(STDOUT_FILENO, buf, n)) {
			fprintf(stderr, "fortunectl: standard output: %s\n",
				strerror(errno));
			close(fd);
			return EXIT_FAILURE;
		}
	}
	if (n < 0) {
		fprintf(stderr, "fortunectl: %s: %s\n", pot_path,
			strerror(errno));
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);
	return EXIT_SUCCESS;
}

static void no_arguments(const char *cmd, int argc, char **argv)
{
	if (argc > 0)
		usage_error("%s takes no arguments (got '%s')", cmd, argv[0]);
}

/* Flush stdout and report a failure there (a full disk, a closed pipe). */
static int finish(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "fortunectl: standard output: %s\n",
			strerror(errno));
		return EXIT_FAILURE;
	}
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument,       NULL, 'h' },
		{ "proc", required_argument, NULL, 'p' },
		{ NULL,   0,                 NULL, 0 },
	};
	const char *env = getenv("FORTUNE_PROC");
	const char *cmd;
	int opt;

	if (env && *env)
		pot_path = env;

	/* Options come before the command; '+' stops at the first word. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hp:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			print_help();
			return finish(EXIT_SUCCESS);
		case 'p':
			pot_path = optarg;
			break;
		default:
			if (optopt == 'p')
				usage_error("option -p needs a PATH");
			if (optopt)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("no command given");

	cmd = argv[optind];
	argc -= optind + 1;
	argv += optind + 1;

	if (strcmp(cmd, "load") == 0)
		return cmd_load(argc, argv);
	if (strcmp(cmd, "help") == 0) {
		no_arguments(cmd, argc, argv);
		print_help();
		return finish(EXIT_SUCCESS);
	}
	if (strcmp(cmd, "stats") == 0) {
		no_arguments(cmd, argc, argv);
		return finish(cmd_stats());
	}
	if (strcmp(cmd, "clear") == 0) {
		no_arguments(cmd, argc, argv);
		return cmd_clear();
	}
	if (strcmp(cmd, "next") == 0) {
		no_arguments(cmd, argc, argv);
		return cmd_next();
	}
	usage_error("unknown command '%s'", cmd);
}
