// SPDX-License-Identifier: GPL-2.0
/*
 * fortunectl - fill and inspect the cookie pot behind /proc/fortune
 *
 *   fortunectl load FILE...   add every cookie of fortune files ('-': stdin)
 *   fortunectl stats          print the pot's statistics
 *   fortunectl clear          empty the pot
 *   fortunectl next           print the next cookie, like cat /proc/fortune
 *   fortunectl save [--pot] FILE
 *                             write every cookie to FILE ('-': stdout), a
 *                             fortune file, or with --pot a pot file
 *
 * Fortune files are the format of fortune(6): cookies separated by lines
 * that hold only '%'.  A cookie's text is every byte of the lines between
 * two separators, the newline of its last line included, and it goes to
 * the module in exactly one write().  The module drops that one trailing
 * newline and a read hands it back, so a cookie reads back byte for byte as
 * it stood in the file.  Empty cookies (two separators in a row, a leading
 * or trailing separator, a cookie that is one empty line, "\n" or "\r\n")
 * are skipped.
 *
 * "save" writes the cookies in the order seq would hand them out, from the
 * next one on, each followed by a newline and a "%" line: loading the file
 * into an empty pot gives the same cookies in the same cyclic order, and
 * the next read gives the cookie the old pot would have given.  It reads
 * them with FORTUNE_IOC_PEEK, which takes nothing.  A few cookies cannot
 * be written that way (a line that is only "%", a lone "\r"): save
 * refuses them.
 *
 * The pot format ("save --pot") carries every cookie the module accepts,
 * that is any bytes but NUL: the line "\0fortune-pot 1\n", then each
 * cookie's stored text followed by a NUL byte, then one more NUL byte
 * (an empty cookie, which the module never stores) that ends the pot.
 * "load" tells it from a fortune file by its first byte, a NUL, which no
 * cookie of a fortune file that loads can begin with.  It reads the whole
 * file before it adds a cookie, so a truncated or damaged file adds none,
 * and it fails when the module evicted a cookie to make room.
 *
 * Every command but "next" opens the file write-only, which takes no
 * cookie.  "stats" and "save" also work for a user who may not write the
 * file: they then open it for reading and never read it, and an open file
 * takes its cookie only at its first read.
 *
 * Exit status: 0 success, 1 failure, 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fortune.h"

#define EXIT_USAGE	2

#define USAGE_LINE \
	"usage: fortunectl [-p PATH] {load FILE...|save [--pot] FILE|stats|clear|next}"

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
	size_t start;		/* where in text it begins (a pot file's) */
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
	       "  save FILE     write every cookie to FILE as a fortune file\n"
	       "                that load reads back, atomically; takes none;\n"
	       "                '-' for standard output\n"
	       "  save --pot FILE\n"
	       "                the same in the pot format, which keeps every\n"
	       "                cookie the module takes; load reads it too\n"
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

/*
 * A line that holds only '%' (CRLF files end theirs in "%\r\n").  The last
 * line of a file may lack its newline: "%" or "%\r".
 */
static int is_separator(const char *line, size_t n)
{
	if (n == 0 || line[0] != '%')
		return 0;
	return n == 1 || (n == 2 && (line[1] == '\n' || line[1] == '\r')) ||
	       (n == 3 && line[1] == '\r' && line[2] == '\n');
}

/*
 * The module refuses these, and there is nothing in them to keep: no text,
 * or one empty line, with an LF or a CRLF end, or a CR alone (a CRLF file's
 * empty last line without its LF).
 */
static int is_empty(const char *text, size_t len)
{
	return len == 0 || (len == 1 && (text[0] == '\n' || text[0] == '\r')) ||
	       (len == 2 && text[0] == '\r' && text[1] == '\n');
}

/*
 * Collect the next non-empty cookie into r->text.  Returns 1 when there is
 * one, 0 at the end of the file, -1 on a read error (errno set).
 */
static int next_cookie(struct cookie_reader *r)
{
	r->len = 0;
	for (;;) {
		ssize_t n;

		errno = 0;
		n = getline(&r->line, &r->line_size, r->in);
		if (n < 0) {
			/*
			 * Only the end of the file ends the cookie: getline()
			 * failing for want of memory sets neither flag.
			 */
			if (ferror(r->in) || !feof(r->in)) {
				if (!errno)
					errno = EIO;
				return -1;
			}
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
	return r->len - (r->text[r->start + r->len - 1] == '\n');
}

/* "fortunectl: FILE: cookie N (line L)", the line only in a fortune file. */
static void name_cookie(const struct cookie_reader *r)
{
	fprintf(stderr, "fortunectl: %s: cookie %lu", r->name, r->number);
	if (r->first)
		fprintf(stderr, " (line %lu)", r->first);
}

/* Say in one line why the module refused the current cookie. */
static void report_refusal(int fd, const struct cookie_reader *r, int err)
{
	struct fortune_stats st;
	size_t len = cookie_length(r);
	int have_stats = get_stats(fd, &st) == 0;

	name_cookie(r);
	fprintf(stderr, ": %s", strerror(err));

	if (err == ENOSPC && have_stats)
		fprintf(stderr,
			" (%lu loaded; %llu of %llu bytes free, room for a cookie of %llu bytes, %s %zu)",
			loaded, (unsigned long long)(st.capacity - st.used),
			(unsigned long long)st.capacity,
			(unsigned long long)st.largest, "this one is", len);
	else if (err == ENOSPC)
		fprintf(stderr, " (%lu loaded)", loaded);
	else if (err == EFBIG && have_stats)
		fprintf(stderr,
			" (cookie is %zu bytes, pot capacity %llu with %d bytes of %s)",
			len, (unsigned long long)st.capacity,
			FORTUNE_COOKIE_OVERHEAD, "overhead per cookie");
	else if (err == EFBIG)
		fprintf(stderr, " (cookie is %zu bytes)", len);
	else if (err == EINVAL && memchr(r->text + r->start, '\0', r->len))
		fputs(" (cookie holds a NUL byte)", stderr);
	fputc('\n', stderr);
}

/* Add one cookie with one write(); the module takes all of it or none. */
static int add_cookie(int fd, const struct cookie_reader *r)
{
	ssize_t n;

	do {
		n = write(fd, r->text + r->start, r->len);
	} while (n < 0 && errno == EINTR);

	if (n < 0) {
		report_refusal(fd, r, errno);
		return -1;
	}
	if ((size_t)n != r->len) {
		name_cookie(r);
		fprintf(stderr, ": short write (%zd of %zu bytes)\n", n,
			r->len);
		return -1;
	}
	loaded++;
	return 0;
}

static const char pot_magic[] = "\0fortune-pot 1\n";
#define POT_MAGIC_LEN	(sizeof(pot_magic) - 1)

/*
 * Reads the rest of a pot file (its first byte, a NUL, is read) into
 * @buf: the cookies, each ending in a NUL.  Returns the length, or -1
 * after saying why; the file must hold the magic line, then cookies, then
 * the empty one that ends the pot, and nothing after it.
 */
static ssize_t read_pot_file(FILE *in, const char *name, char **buf)
{
	size_t len = 0, size = 4096, i;
	char *data = xrealloc(NULL, size);
	const char *why = NULL;
	size_t n;

	for (;;) {
		n = fread(data + len, 1, size - len, in);
		len += n;
		if (len < size)
			break;
		size *= 2;
		data = xrealloc(data, size);
	}
	if (ferror(in)) {
		fprintf(stderr, "fortunectl: %s: %s\n", name, strerror(EIO));
		free(data);
		return -1;
	}
	if (len < POT_MAGIC_LEN - 1 ||
	    memcmp(data, pot_magic + 1, POT_MAGIC_LEN - 1))
		why = "it begins with a NUL byte but not with the pot format's first line";
	/* Where the last cookie ends, or the file's end: two NULs in a row. */
	for (i = POT_MAGIC_LEN - 1; !why && i < len; i++)
		if (data[i] == '\0' && (i == POT_MAGIC_LEN - 1 || data[i - 1] == '\0'))
			break;
	if (!why && i >= len)
		why = "it is cut short: the pot's end mark is missing";
	else if (!why && i + 1 != len)
		why = "there is more after the pot's end mark";
	if (why) {
		fprintf(stderr,
			"fortunectl: %s: not a pot file load can read: %s; nothing loaded\n",
			name, why);
		free(data);
		return -1;
	}
	memmove(data, data + POT_MAGIC_LEN - 1, i - (POT_MAGIC_LEN - 1));
	*buf = data;
	return i - (POT_MAGIC_LEN - 1);
}

/*
 * Adds the cookies of a pot file.  Each goes with a newline after it,
 * which the module drops: it stores the text exactly.  A cookie evicted
 * to make room fails it: a pot file is a pot to restore in full.
 */
static int load_pot(int fd, struct cookie_reader *r)
{
	struct fortune_stats before, after;
	ssize_t len = read_pot_file(r->in, r->name, &r->text);
	size_t i = 0, end;
	int ret = 0;

	if (len < 0)
		return -1;
	if (get_stats(fd, &before)) {
		fprintf(stderr, "fortunectl: %s: statistics: %s\n", pot_path,
			strerror(errno));
		return -1;
	}
	while (!ret && i < (size_t)len) {
		end = i + strlen(r->text + i);
		r->number++;
		r->text[end] = '\n';
		r->start = i;
		r->len = end + 1 - i;
		ret = add_cookie(fd, r);
		i = end + 1;
	}
	if (ret)
		return ret;
	if (get_stats(fd, &after)) {
		fprintf(stderr, "fortunectl: %s: statistics: %s\n", pot_path,
			strerror(errno));
		return -1;
	}
	if (after.evicted != before.evicted) {
		fprintf(stderr,
			"fortunectl: %s: the pot is too small: the module evicted %llu cookies to make room\n",
			r->name, (unsigned long long)(after.evicted - before.evicted));
		return -1;
	}
	return 0;
}

static int load_file(int fd, const char *name)
{
	struct cookie_reader r = { .name = name };
	int is_stdin = strcmp(name, "-") == 0;
	int ret = 0;
	int got, c;

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

	c = getc(r.in);
	if (c == '\0') {
		ret = load_pot(fd, &r);
		goto out;
	}
	if (c != EOF)
		ungetc(c, r.in);
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

out:
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

/*
 * A file to ask the pot about, never to read.  Write-only when we may, and
 * read-only otherwise: an open file takes its cookie only at its first
 * read, so this one takes nothing either way.
 */
static int open_to_look(void)
{
	int fd = open(pot_path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 && (errno == EACCES || errno == EPERM))
		return open_pot(O_RDONLY);
	if (fd < 0)
		return open_pot(O_WRONLY);
	return fd;
}

static int cmd_stats(void)
{
	struct fortune_stats st;
	int fd = open_to_look();

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

/* One cookie as save has it: its text, as the pot stores it. */
struct saved_cookie {
	char *text;
	size_t len;
};

/*
 * Why @text (a stored cookie) would not load back as it is, or NULL.  Save
 * writes the text, a newline and a "%" line; load splits at lines that
 * hold only "%" (or "%\r") and skips a cookie that is "\n" or "\r\n".
 */
static const char *unsavable(const char *text, size_t len)
{
	size_t i = 0;

	if (len == 1 && text[0] == '\r')
		return "it is a lone carriage return, which load skips as an empty CRLF line";
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - i;

		if ((n == 1 && text[i] == '%') ||
		    (n == 2 && text[i] == '%' && text[i + 1] == '\r'))
			return "it holds a line that is only '%', which ends a cookie";
		i = end + 1;
	}
	return NULL;
}

/* The first line of a cookie, shortened, to name it in a message. */
static void print_first_line(const char *text, size_t len)
{
	size_t n = 0;

	/* The text is not a string: no NUL ends it. */
	while (n < len && n <= 40 && text[n] != '\r' && text[n] != '\n')
		n++;
	if (n > 40)
		fprintf(stderr, " (\"%.40s...\")", text);
	else
		fprintf(stderr, " (\"%.*s\")", (int)n, text);
}

static void free_cookies(struct saved_cookie *all, long n)
{
	while (n-- > 0)
		free(all[n].text);
	free(all);
}

/*
 * Reads every cookie with FORTUNE_IOC_PEEK, from the next one in seq order
 * round the pot.  Returns how many, or -1 after saying why.
 */
static long peek_all(int fd, struct saved_cookie **out)
{
	struct saved_cookie *all = NULL;
	struct fortune_peek p;
	char *buf = NULL;
	size_t size = 0;
	long n = 0, count = 1;

	for (n = 0; n < count; n++) {
		memset(&p, 0, sizeof(p));
		p.pos = n;
		p.buf = (uintptr_t)buf;
		p.size = size;
		while (ioctl(fd, FORTUNE_IOC_PEEK, &p)) {
			if (errno == ERANGE) {
				size = p.len;
				buf = xrealloc(buf, size ? size : 1);
				p.buf = (uintptr_t)buf;
				p.size = size;
				continue;
			}
			if (errno == ENOENT && (unsigned long)n >= p.cookies)
				goto out;	/* the pot shrank meanwhile */
			if (errno == EINTR)
				continue;
			fprintf(stderr, "fortunectl: %s: reading cookie %ld: %s\n",
				pot_path, n + 1, strerror(errno));
			free(buf);
			free_cookies(all, n);
			*out = NULL;
			return -1;
		}
		count = p.cookies;
		all = xrealloc(all, (n + 1) * sizeof(*all));
		all[n].len = p.len;
		all[n].text = xrealloc(NULL, p.len ? p.len : 1);
		memcpy(all[n].text, buf, p.len);
	}
out:
	free(buf);
	*out = all;
	return n;
}

/*
 * Writes the cookies to the open file @fd, as a fortune file or, @pot, as
 * a pot file; 0, or -1 with errno set.
 */
static int write_cookies(int fd, const struct saved_cookie *all, long n,
			 int pot)
{
	long i;

	if (pot && write_all(fd, pot_magic, POT_MAGIC_LEN))
		return -1;
	for (i = 0; i < n; i++)
		if (write_all(fd, all[i].text, all[i].len) ||
		    write_all(fd, pot ? "" : "\n%\n", pot ? 1 : 3))
			return -1;
	if (pot && write_all(fd, "", 1))
		return -1;
	return 0;
}

/*
 * What save may replace: nothing, or a regular file, whose mode and owner
 * go to @st.  Returns 0 (and @exists), or -1 after saying why not.
 */
static int check_target(const char *file, struct stat *st, int *exists)
{
	const char *what;

	*exists = 0;
	if (lstat(file, st)) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "fortunectl: %s: %s\n", file, strerror(errno));
		return -1;
	}
	if (S_ISREG(st->st_mode)) {
		*exists = 1;
		return 0;
	}
	if (S_ISLNK(st->st_mode))
		what = "a symbolic link";
	else if (S_ISDIR(st->st_mode))
		what = "a directory";
	else if (S_ISFIFO(st->st_mode))
		what = "a FIFO";
	else if (S_ISSOCK(st->st_mode))
		what = "a socket";
	else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		what = "a device";
	else
		what = "not a regular file";
	fprintf(stderr,
		"fortunectl: %s: is %s: save writes only regular files (use '-' for standard output); nothing written\n",
		file, what);
	return -1;
}

/*
 * save FILE: the new contents go to a temporary file beside FILE, created
 * with O_EXCL (mkstemp), which is flushed to disk and then renamed over
 * FILE, and the directory is flushed too: a crash leaves either the old
 * file or the new one, never half of one, and nothing is written through
 * a file save did not create.  FILE, if it exists, must be a regular file:
 * the new one gets its mode and owner.  Nothing is written if a cookie
 * cannot be saved faithfully.  FILE '-' is standard output.
 */
static int cmd_save(int argc, char **argv)
{
	struct saved_cookie *all = NULL;
	char *tmp = NULL, *dircopy = NULL;
	const char *file, *why;
	struct stat st;
	mode_t mask;
	long n = 0, i;
	int fd, out = -1, dir, exists = 0, pot = 0, ret = EXIT_FAILURE;

	if (argc > 0 && (!strcmp(argv[0], "--pot") || !strcmp(argv[0], "-P"))) {
		pot = 1;
		argc--;
		argv++;
	}
	if (argc != 1)
		usage_error(argc ? "save takes one FILE (got '%s')" :
			    "save needs a FILE", argc ? argv[1] : "");
	file = argv[0];

	if (strcmp(file, "-") && check_target(file, &st, &exists))
		return EXIT_FAILURE;

	fd = open_to_look();
	if (fd < 0)
		return EXIT_FAILURE;
	n = peek_all(fd, &all);
	close(fd);
	if (n < 0) {
		n = 0;
		goto out;
	}

	for (i = 0; i < n; i++) {
		why = pot ? NULL : unsavable(all[i].text, all[i].len);
		if (pot && memchr(all[i].text, '\0', all[i].len))
			why = "it holds a NUL byte";
		else if (pot && !all[i].len)
			why = "it is empty";
		if (!why)
			continue;
		fprintf(stderr, "fortunectl: %s: cookie %ld of %ld", file,
			i + 1, n);
		print_first_line(all[i].text, all[i].len);
		fprintf(stderr, " cannot be saved: %s; nothing written%s\n",
			why, pot ? "" : " (save --pot keeps every cookie)");
		goto out;
	}

	if (!strcmp(file, "-")) {
		if (write_cookies(STDOUT_FILENO, all, n, pot)) {
			fprintf(stderr, "fortunectl: standard output: %s\n",
				strerror(errno));
			goto out;
		}
		ret = EXIT_SUCCESS;
		goto out;
	}

	if (asprintf(&tmp, "%s.XXXXXX", file) < 0) {
		fprintf(stderr, "fortunectl: %s\n", strerror(ENOMEM));
		tmp = NULL;
		goto out;
	}
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0) {
		fprintf(stderr, "fortunectl: %s: %s\n", file, strerror(errno));
		goto out;
	}
	/*
	 * mkstemp() makes it 0600: give it the mode and owner of the file it
	 * replaces, or the mode a new file would get.
	 */
	if (!exists) {
		mask = umask(0);
		umask(mask);
		st.st_mode = 0666 & ~mask;
	}
	/* The owner first: fchown() clears the set-user-ID bit. */
	if ((exists && (st.st_uid != geteuid() || st.st_gid != getegid()) &&
	     fchown(out, st.st_uid, st.st_gid)) ||
	    fchmod(out, st.st_mode & 07777)) {
		fprintf(stderr, "fortunectl: %s: giving it the mode and owner of %s: %s\n",
			tmp, file, strerror(errno));
		goto out_unlink;
	}
	if (write_cookies(out, all, n, pot) || fsync(out)) {
		fprintf(stderr, "fortunectl: %s: %s\n", tmp, strerror(errno));
		goto out_unlink;
	}
	if (close(out)) {
		out = -1;
		fprintf(stderr, "fortunectl: %s: %s\n", tmp, strerror(errno));
		goto out_unlink;
	}
	out = -1;
	if (rename(tmp, file)) {
		fprintf(stderr, "fortunectl: %s: %s\n", file, strerror(errno));
		goto out_unlink;
	}
	/* The rename itself must reach the disk too. */
	dircopy = strdup(file);
	dir = dircopy ? open(dirname(dircopy), O_RDONLY | O_DIRECTORY |
			     O_CLOEXEC) : -1;
	if (dir < 0 || fsync(dir)) {
		fprintf(stderr, "fortunectl: %s: flushing its directory: %s\n",
			file, strerror(errno));
		if (dir >= 0)
			close(dir);
		goto out;
	}
	close(dir);
	ret = EXIT_SUCCESS;
	goto out;

out_unlink:
	if (out >= 0)
		close(out);
	unlink(tmp);
out:
	free(dircopy);
	free(tmp);
	free_cookies(all, n);
	return ret;
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
	if (strcmp(cmd, "save") == 0)
		return finish(cmd_save(argc, argv));
	usage_error("unknown command '%s'", cmd);
}
