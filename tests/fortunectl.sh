#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fortunectl against the real /proc/fortune: Debian's fortune files go in
# and come back byte for byte, in order and at random; a pot too small
# stops the load with one line that says why; stats, clear, --help and bad
# usage behave as documented.  Prints one KTAP document on stdout.
#
# The expected cookies come from our own awk split of each file, not from
# fortunectl: cookies are separated by lines that hold only "%" (or "%\r"
# in CRLF files); an empty cookie, or one that is a single empty line, is
# not a cookie.  What a reader gets back is each line of the cookie with
# its newline, so the split prints exactly that, as a stream of cookies
# (tests/ctl-lib.sh).
set -eu

work_name=fortunectl
# shellcheck source=tests/ctl-lib.sh
. "$(dirname "$0")/ctl-lib.sh"

overhead=8		# FORTUNE_COOKIE_OVERHEAD in fortune.h
big_pot=1048576		# roomy enough for every file we load
small_pot=4096
random_reads=200

# split_cookies FILE: the cookies of fortune file FILE, as a stream.
split_cookies() {
	awk '
		function flush() {
			if (nlines > 1 || (nlines == 1 && text != "\n"))
				printf "%s%%\n", text
			nlines = 0
			text = ""
		}
		$0 == "%" || $0 == "%\r" { flush(); next }
		{ text = text $0 "\n"; nlines++ }
		END { flush() }
	' "$1"
}

# size_of STREAM N: the bytes cookie N of STREAM reads as.
size_of() {
	echo $(($(slice "$1" "$2" "$2" | wc -c) - 2))
}

# field NAME: a field of the last "fortunectl stats", kept in $work/stats.
field() {
	awk -F ': ' -v name="$1" '$1 == name { print $2 }' "$work/stats"
}
get_stats() {
	"$ctl" stats >"$work/stats" 2>&1
}

# used_by STREAM: the pot bytes the cookies of STREAM take: each one's
# text but its last newline, and the overhead.  The stream has 3 bytes
# more per cookie: that newline and the line "%".
used_by() {
	echo $(($(bytes "$1") + $(cookies "$1") * (overhead - 3)))
}

insmod_fortune() {
	insmod "$ko" "$@" 2>"$work/insmod.err"
}
rmmod_fortune() {
	rmmod fortune 2>"$work/rmmod.err"
}

# Debian's data files, not their .dat indexes or .u8 links.
files=
for f in "$db"/*; do
	case $f in *.dat | *.u8) continue ;; esac
	if [ -f "$f" ] && [ ! -L "$f" ]; then
		files="$files $f"
	fi
done

echo "KTAP version 1"
if [ -z "$files" ]; then
	echo "1..1"
	result fortune_files "no fortune files in $db"
	exit 0
fi
echo "1..18"

# 1: --help
why=
for opt in --help -h; do
	run help "$ctl" "$opt"
	if [ "$rc" -ne 0 ]; then
		why="$opt exits $rc"
	elif ! grep -q '^usage: fortunectl' "$work/help.out"; then
		why="$opt prints no usage line on stdout"
	elif [ -s "$work/help.err" ]; then
		why="$opt writes to stderr"
	fi
done
result help "$why"

# 2: bad usage: exit 2, one line on stderr naming the cause and the usage
why=
for args in "" bogus load "stats extra" "next extra" "-x stats" "-p"; do
	# shellcheck disable=SC2086 # the words are the arguments
	run usage "$ctl" $args
	if [ "$rc" -ne 2 ]; then
		why="'fortunectl $args' exits $rc, not 2"
	elif [ "$(lines "$work/usage.err")" -ne 1 ] ||
	     ! grep -q 'usage: fortunectl' "$work/usage.err"; then
		why="'fortunectl $args' does not print one usage line on stderr"
	fi
	[ -z "$why" ] || break
done
result bad_usage "$why"

# 3: no module: a clean failure that names the file
why=
if [ -e /proc/fortune ]; then
	why="/proc/fortune exists before the test loaded the module"
else
	run nomod "$ctl" stats
	if [ "$rc" -ne 1 ]; then
		why="stats without the module exits $rc, not 1"
	elif [ "$(lines "$work/nomod.err")" -ne 1 ] ||
	     ! grep -q '/proc/fortune' "$work/nomod.err"; then
		why="stats without the module: '$(first_line "$work/nomod.err")'"
	fi
fi
result no_module "$why"

# The expected cookies of every file, one after another as one load of
# them all adds them.
total=0
: >"$work/exp"
for f in $files; do
	split_cookies "$f" >"$work/one"
	count=$(cookies "$work/one")
	cat "$work/one" >>"$work/exp"
	diag "$f: $count cookies"
	total=$((total + count))
done

# 4: a pot big enough for everything
why=
if ! insmod_fortune pot_size=$big_pot; then
	why="insmod pot_size=$big_pot: $(first_line "$work/insmod.err")"
fi
result insmod_big_pot "$why"

# 5: every field of struct fortune_stats, in order, on an empty pot
why=
if ! get_stats; then
	why="stats: $(first_line "$work/stats")"
elif [ "$(cut -d: -f1 "$work/stats" | tr '\n' ' ')" != \
       "capacity used cookies served added refused evicted largest " ]; then
	why="fields: $(cut -d: -f1 "$work/stats" | tr '\n' ' ')"
elif [ "$(field capacity)" != $big_pot ] || [ "$(field used)" != 0 ] ||
     [ "$(field cookies)" != 0 ] || [ "$(field added)" != 0 ] ||
     [ "$(field largest)" != $((big_pot - overhead)) ]; then
	why="empty pot: $(tr '\n' ' ' <"$work/stats")"
fi
result stats_empty_pot "$why"

# 6: load every file in one go
why=
# shellcheck disable=SC2086 # one argument per file
run load "$ctl" load $files
if [ "$rc" -ne 0 ]; then
	why="load exits $rc: $(first_line "$work/load.err")"
elif [ -s "$work/load.err" ] || [ -s "$work/load.out" ]; then
	why="load is not silent: $(first_line "$work/load.err")"
elif ! get_stats; then
	why="stats: $(first_line "$work/stats")"
elif [ "$(field cookies)" != $total ] || [ "$(field added)" != $total ] ||
     [ "$(field refused)" != 0 ]; then
	why="expected $total cookies: $(tr '\n' ' ' <"$work/stats")"
elif [ "$(field used)" != "$(used_by "$work/exp")" ]; then
	why="used $(field used), expected $(used_by "$work/exp")"
fi
result load_all_files "$why"
diag "loaded $total cookies, $(field used) bytes used"

# 7: read them all back, in order, byte for byte
why=
if ! take_stream $total >"$work/got"; then
	why="reading /proc/fortune failed"
else
	bad=$(first_difference "$work/exp" "$work/got")
	if [ -n "$bad" ]; then
		why="cookie $bad reads back as $(size_of "$work/got" "$bad")"
		why="$why bytes, not the file's $(size_of "$work/exp" "$bad")"
	elif ! get_stats || [ "$(field served)" != $total ]; then
		why="served $(field served), expected $total"
	fi
fi
result seq_reads_back_every_cookie "$why"

# 8: after the newest comes the oldest again
why=
slice "$work/exp" 1 1 >"$work/first_cookie"
if ! ctl_stream 1 >"$work/wrap" ||
   ! cmp -s "$work/wrap" "$work/first_cookie"; then
	why="the read after cookie $total is not cookie 1"
fi
result seq_wraps_around "$why"

# 9: clear empties the pot; an empty pot reads as an empty file
why=
run clear "$ctl" clear
if [ "$rc" -ne 0 ]; then
	why="clear exits $rc: $(first_line "$work/clear.err")"
elif ! get_stats || [ "$(field cookies)" != 0 ] || [ "$(field used)" != 0 ]; then
	why="after clear: $(tr '\n' ' ' <"$work/stats")"
else
	run empty "$ctl" next
	if [ "$rc" -ne 0 ] || [ -s "$work/empty.out" ]; then
		why="next on an empty pot exits $rc with $(bytes "$work/empty.out") bytes"
	fi
fi
result clear_empties_pot "$why"

# 10: the corner cases of the format, from standard input: a leading and
# a doubled separator, a cookie of one empty line (all skipped), trailing
# empty lines, CRLF, UTF-8, a cookie of 10 KiB (over two pages), tabs, and
# a last line with no newline (which reads back with one).
edge=$work/edge
{
	printf '%%\nfirst\n%%\n%%\ntwo lines\nand an empty one\n\n%%\n\n%%\n'
	printf 'crlf\r\nlines\r\n%%\r\n'
	printf 'UTF-8: h\303\251llo w\303\266rld \342\230\272\n%%\n'
	awk 'BEGIN {
		for (i = 1; i <= 200; i++)
			printf "%03d %s\n", i, "of a cookie longer than two pages of memory"
	}'
	printf '%%\n\tindented\n  spaces  \n%%\nthe last, no newline'
} >"$edge"
split_cookies "$edge" >"$work/edge.exp"
edge_count=$(cookies "$work/edge.exp")
why=
run edge "$ctl" load - <"$edge"
if [ "$edge_count" -ne 7 ]; then
	why="the test's own split found $edge_count cookies, not 7"
elif [ "$rc" -ne 0 ]; then
	why="load - exits $rc: $(first_line "$work/edge.err")"
elif ! get_stats || [ "$(field cookies)" != 7 ]; then
	why="expected 7 cookies: $(tr '\n' ' ' <"$work/stats")"
elif ! ctl_stream 7 >"$work/edge.got"; then
	why="fortunectl next failed"
else
	bad=$(first_difference "$work/edge.exp" "$work/edge.got")
	[ -z "$bad" ] || why="edge cookie $bad does not read back as written"
fi
result format_corner_cases "$why"

rmmod_fortune || diag "rmmod: $(first_line "$work/rmmod.err")"

# 11, 12: a small pot takes what fits, then the load stops at the first
# cookie that does not, with one line that says which and why.  As long as
# nothing was evicted, a cookie fits when used + length + overhead <= size.
# shellcheck disable=SC2086 # the first of the files
set -- $files
first_file=$1
split_cookies "$first_file" >"$work/first"
first_count=$(cookies "$work/first")
# "FITS USED": how many of its cookies fit, and the bytes they use.
fit=$(awk -v size=$small_pot -v overhead=$overhead '
	$0 != "%" { len += length($0) + 1; next }
	{
		need = len - 1 + overhead
		len = 0
		if (full || used + need > size) {
			full = 1
			next
		}
		used += need
		fits++
	}
	END { print fits + 0, used + 0 }' "$work/first")
fits=${fit% *}
used=${fit#* }
why=
if ! insmod_fortune pot_size=$small_pot; then
	why="insmod pot_size=$small_pot: $(first_line "$work/insmod.err")"
else
	run small "$ctl" load "$first_file"
	if [ "$rc" -ne 1 ]; then
		why="load into a $small_pot-byte pot exits $rc, not 1"
	elif [ "$(lines "$work/small.err")" -ne 1 ]; then
		why="$(lines "$work/small.err") lines on stderr, not 1"
	elif ! grep -q "^fortunectl: $first_file: cookie $((fits + 1)) (line [0-9]*): No space left on device ($fits loaded; $((small_pot - used)) of $small_pot bytes free" \
		"$work/small.err"; then
		why="expected cookie $((fits + 1)) refused: $(first_line "$work/small.err")"
	elif ! get_stats || [ "$(field cookies)" != "$fits" ] ||
	     [ "$(field refused)" != 1 ] || [ "$(field used)" != "$used" ]; then
		why="expected $fits cookies: $(tr '\n' ' ' <"$work/stats")"
	fi
fi
result small_pot_stops_with_reason "$why"
diag "$(first_line "$work/small.err")"

why=
slice "$work/first" 1 "$fits" >"$work/fit"
if ! take_stream "$fits" >"$work/got"; then
	why="reading /proc/fortune failed"
else
	bad=$(first_difference "$work/fit" "$work/got")
	[ -z "$bad" ] || why="cookie $bad does not read back as written"
fi
result small_pot_keeps_what_fit "$why"

# 13: a cookie bigger than the whole pot
why=
"$ctl" clear || diag "clear failed"
head -c 5000 /dev/zero | tr '\0' 'x' >"$work/huge"
echo >>"$work/huge"
run efbig "$ctl" load "$work/huge"
if [ "$rc" -ne 1 ]; then
	why="load of a 5000-byte cookie exits $rc, not 1"
elif [ "$(lines "$work/efbig.err")" -ne 1 ] ||
     ! grep -q "^fortunectl: $work/huge: cookie 1 .*File too large.*5000 bytes.*$small_pot" \
	"$work/efbig.err"; then
	why="message: $(first_line "$work/efbig.err")"
fi
result efbig_names_sizes "$why"

# 14: a cookie with a NUL byte
why=
printf 'fine\n%%\nnul\000byte\n' >"$work/nul"
run nul "$ctl" load "$work/nul"
if [ "$rc" -ne 1 ]; then
	why="load of a cookie with a NUL byte exits $rc, not 1"
elif ! grep -q "^fortunectl: $work/nul: cookie 2 (line 3): Invalid argument.*NUL" \
	"$work/nul.err"; then
	why="message: $(first_line "$work/nul.err")"
fi
result nul_byte_refused "$why"
rmmod_fortune || diag "rmmod: $(first_line "$work/rmmod.err")"

# 15, 16, 17: order=random hands out the file's cookies, spread out
why=
if ! insmod_fortune pot_size=$big_pot order=random; then
	why="insmod order=random: $(first_line "$work/insmod.err")"
else
	run load_random "$ctl" load "$first_file"
	if [ "$rc" -ne 0 ]; then
		why="load exits $rc: $(first_line "$work/load_random.err")"
	fi
fi
result random_load "$why"

why=
if ! take_stream $random_reads >"$work/got"; then
	why="reading /proc/fortune failed"
else
	# For each read, the number of the file's cookie it is (0: none).
	awk '{ text = text $0 "\n" }
	     $0 != "%" { next }
	     NR == FNR { n++; if (!(text in rank)) rank[text] = n
			 text = ""; next }
	     { print (text in rank) ? rank[text] : 0; text = "" }' \
		"$work/first" "$work/got" >"$work/ranks"
	stranger=$(grep -n '^0$' "$work/ranks" | head -n 1 | cut -d: -f1)
	if [ -n "$stranger" ]; then
		why="read $stranger is none of the file's cookies"
	elif ! get_stats || [ "$(field served)" != $random_reads ]; then
		why="served $(field served), expected $random_reads"
	fi
fi
result random_reads_are_the_files_cookies "$why"

# With n cookies, r uniform reads give about n(1 - e^(-r/n)) distinct ones
# (170 of 431, give or take 6) and about r/n reads that come right after
# their predecessor in the file (0.5).  Far fewer distinct ones, or the
# file's order, means it is not random.
why=
distinct=$(sort -u "$work/ranks" | wc -l)
at_least=$(awk -v n="$first_count" -v r=$random_reads 'BEGIN {
	for (missed = 1; r-- > 0;)
		missed *= 1 - 1 / n	# busybox awk has no exp()
	printf "%d", 0.75 * n * (1 - missed)
}')
in_order=$(awk 'NR > 1 && $1 == last + 1 { n++ } { last = $1 }
		END { print n + 0 }' "$work/ranks")
diag "$random_reads random reads: $distinct distinct cookies (at least $at_least wanted), $in_order in file order"
if [ "$distinct" -lt "$at_least" ]; then
	why="only $distinct distinct cookies in $random_reads reads"
elif [ "$in_order" -gt $((random_reads / 10)) ]; then
	why="$in_order of $random_reads reads follow the file's order"
fi
result random_order_is_spread "$why"

# 18: leave the module unloaded
why=
if ! rmmod_fortune; then
	why="rmmod: $(first_line "$work/rmmod.err")"
elif [ -e /proc/fortune ]; then
	why="/proc/fortune still there after rmmod"
else
	run gone "$ctl" next
	[ "$rc" -eq 1 ] || why="next after rmmod exits $rc, not 1"
fi
result unload "$why"
