#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fortunectl save against the real /proc/fortune: a pot saved, unloaded,
# loaded again and filled from the file gives the same cookies in the same
# cyclic order, and the same next cookie; saving takes nothing; a cookie
# that cannot round-trip is refused by name and the old file stays whole;
# load's fixes (a read error stops it, a blank CRLF cookie is skipped).
# Prints one KTAP document on stdout.
set -eu

work_name=save
# shellcheck source=tests/ctl-lib.sh
. "$(dirname "$0")/ctl-lib.sh"

field() {	# NAME: a field of "fortunectl stats"
	"$ctl" stats | awk -F ': ' -v name="$1" '$1 == name { print $2 }'
}
leftovers() {	# NAME: temporary files save left beside $work/NAME
	find "$work" -maxdepth 1 -name "$1.*"
}
fresh() {	# [PARAM...]: a freshly loaded module
	if [ -e /proc/fortune ]; then
		rmmod fortune
	fi
	insmod "$ko" "$@"
}

echo "KTAP version 1"
echo "1..15"

# The cookies: one of Debian's files and the corners of the format that do
# round-trip: a cookie ending in an empty line, one that is an empty line
# only ("\n\n" in the file: "\n" in the pot), CRLF, UTF-8, tabs.
# One file is enough (reading every cookie back is slow on a debug kernel
# under TCG): the smallest of Debian's, riddles.
files=
for f in "$db"/riddles "$db"/*; do
	case $f in *.dat | *.u8) continue ;; esac
	if [ -f "$f" ] && [ ! -L "$f" ]; then
		files=$f
		break
	fi
done
edge=$work/edge
{
	printf 'ends in an empty line\n\n%%\n\n\n%%\n'
	printf 'crlf\r\nlines\r\n%%\r\n'
	printf 'UTF-8: h\303\251llo\n%%\n\ttab\n  %% not alone\n%%\n'
	printf '%%%%\n%%\n'
	printf 'the last, no newline'
} >"$edge"

# 1, 2: save, unload, load, load the file: the same cookies, and the
# next one is the one the old pot would have given.
why=
fresh pot_size=1048576
# shellcheck disable=SC2086 # one argument per file
"$ctl" load $files "$edge"
count=$(field cookies)
# Move the cursor somewhere in the middle.
take_stream 5 >/dev/null
served=$(field served)
run save "$ctl" save "$work/pot"
if [ "$rc" -ne 0 ]; then
	why="save exits $rc: $(first_line "$work/save.err")"
elif [ -s "$work/save.out" ] || [ -s "$work/save.err" ]; then
	why="save is not silent: $(first_line "$work/save.err")"
elif [ "$(field served)" != "$served" ]; then
	why="save took cookies: served $served -> $(field served)"
elif [ -n "$(leftovers pot)" ]; then
	why="save left a temporary file: $(leftovers pot)"
fi
result save_takes_nothing "$why"
diag "$count cookies saved, $(bytes "$work/pot") bytes"

why=
used=$(field used)
take_stream "$count" >"$work/before"
fresh pot_size=1048576
run load "$ctl" load "$work/pot"
if [ "$rc" -ne 0 ]; then
	why="load of the saved file exits $rc: $(first_line "$work/load.err")"
elif [ "$(field cookies)" != "$count" ] || [ "$(field used)" != "$used" ]; then
	why="after load: $(field cookies) cookies, $(field used) bytes; want $count, $used"
else
	take_stream "$count" >"$work/after"
	bad=$(first_difference "$work/before" "$work/after")
	[ -z "$bad" ] || why="read $bad after the reload differs"
fi
result save_load_round_trip "$why"

# 3: saving the reloaded pot gives the same file
why=
fresh pot_size=1048576
"$ctl" load "$work/pot"
run save2 "$ctl" save "$work/pot2"
if [ "$rc" -ne 0 ]; then
	why="save exits $rc: $(first_line "$work/save2.err")"
elif ! cmp -s "$work/pot" "$work/pot2"; then
	why="a second save differs from the first"
fi
result save_is_stable "$why"

# 4: an empty pot saves as an empty file
why=
fresh
run empty "$ctl" save "$work/empty"
if [ "$rc" -ne 0 ] || [ -s "$work/empty" ]; then
	why="save of an empty pot exits $rc with $(bytes "$work/empty") bytes"
fi
result save_empty_pot "$why"

# 5: cookies that cannot round-trip are refused by name, the old file
# stays whole and no temporary file is left.
why=
for bad in 'one\n%%\ntwo' '%%' 'end\n%%' 'crlf\r\n%%\r\nx' '\r'; do
	fresh
	printf 'fine' >/proc/fortune
	# shellcheck disable=SC2059 # the pattern is the cookie
	printf "$bad" >/proc/fortune
	cp "$work/pot" "$work/old"
	run refuse "$ctl" save "$work/old"
	if [ "$rc" -ne 1 ]; then
		why="cookie '$bad': save exits $rc, not 1"
	elif [ "$(lines "$work/refuse.err")" -ne 1 ] ||
	     ! grep -q 'cookie 2 of 2' "$work/refuse.err"; then
		why="cookie '$bad': $(first_line "$work/refuse.err")"
	elif ! cmp -s "$work/pot" "$work/old"; then
		why="cookie '$bad': the old file changed"
	elif [ -n "$(leftovers old)" ]; then
		why="cookie '$bad': a temporary file is left"
	fi
	[ -z "$why" ] || break
done
result save_refuses_by_name "$why"
diag "$(first_line "$work/refuse.err")"

# 6: a file that cannot be written: exit 1, one line naming it
why=
run nodir "$ctl" save "$work/no/such/dir"
if [ "$rc" -ne 1 ] || [ "$(lines "$work/nodir.err")" -ne 1 ] ||
   ! grep -q "$work/no/such/dir" "$work/nodir.err"; then
	why="exit $rc: $(first_line "$work/nodir.err")"
fi
result save_unwritable "$why"

# 7: save's usage
why=
for args in "save" "save a b"; do
	# shellcheck disable=SC2086 # the words are the arguments
	run usage "$ctl" $args
	if [ "$rc" -ne 2 ] || [ "$(lines "$work/usage.err")" -ne 1 ]; then
		why="'fortunectl $args' exits $rc"
	fi
done
result save_usage "$why"

# 8: a blank cookie in a CRLF file is skipped, as in an LF file
why=
fresh
printf 'a\r\n%%\r\n\r\n%%\r\nb\r\n' >"$work/crlf"
run crlf "$ctl" load "$work/crlf"
if [ "$rc" -ne 0 ] || [ "$(field cookies)" != 2 ]; then
	why="exit $rc, $(field cookies) cookies, want 2"
fi
result crlf_blank_cookie_skipped "$why"

# 9: a line too long for the memory allowed stops the load: exit 1, one
# line that says why, and nothing stored in pieces.  With 20 MB of address
# space, reading a line of 30 MB runs out of memory on the way.  Not
# under AddressSanitizer (the system test's run), which reserves far more
# address space than that at its start.
if [ -n "${FORTUNE_SANITIZED:-}" ]; then
	result "read_error_stops_load # SKIP AddressSanitizer needs more address space than ulimit -v allows"
else
why=
fresh pot_size=16777216
rc=0
# shellcheck disable=SC3045 # busybox sh has ulimit -v
head -c 30000000 /dev/zero | tr '\0' x |
	(ulimit -v 20000 && "$ctl" load -) 2>"$work/nomem.err" || rc=$?
if [ "$rc" -ne 1 ]; then
	why="load exits $rc, not 1"
elif [ "$(lines "$work/nomem.err")" -ne 1 ] ||
     ! grep -q 'Cannot allocate memory' "$work/nomem.err"; then
	why="$(lines "$work/nomem.err") lines on stderr:"
	why="$why $(first_line "$work/nomem.err")"
elif [ "$(field cookies)" != 0 ]; then
	why="$(field cookies) cookies stored"
fi
result read_error_stops_load "$why"
diag "$(first_line "$work/nomem.err")"
fi

# 10: the pot format keeps every cookie the module takes, and the
# cursor: save --pot, unload, load, save --pot gives the same bytes, and
# the next cookie is the one the old pot would have given (the third one
# added, a lone "\r").
awkward() {
	for c in 'one\n%%\ntwo' '%%' '\r' '%%\r' 'x\n%%\r\ny' 'lines\n\n\n' \
		'\n\n' '\001\377 \t' 'plain'; do
		# shellcheck disable=SC2059 # the cookies are formats on purpose
		printf "$c" >/proc/fortune
	done
}
why=
fresh
awkward
"$ctl" next >/dev/null
"$ctl" next >/dev/null
run pot "$ctl" save --pot "$work/awk.pot"
fresh
run potload "$ctl" load "$work/awk.pot"
"$ctl" save --pot "$work/awk2.pot"
if [ "$rc" -ne 0 ]; then
	why="load of the pot file exits $rc: $(first_line "$work/potload.err")"
elif [ "$(field cookies)" != 9 ]; then
	why="$(field cookies) cookies after the load, want 9"
elif ! cmp -s "$work/awk.pot" "$work/awk2.pot"; then
	why="the pot saved again differs from the pot file"
elif [ "$("$ctl" next)" != "$(printf '\r')" ]; then
	why="the next cookie is not the third one added"
fi
result pot_format_keeps_every_cookie "$why"

# 11: load and save agree: a fortune file whose last line is "%\r" with
# no newline, or a lone "\r", loads into a pot that save then takes.
why=
fresh
printf 'a\n%%\r' >"$work/pcr"
printf '\r' >"$work/cr"
run pcr "$ctl" load "$work/pcr" "$work/cr"
run pcrsave "$ctl" save "$work/pcr.out"
if [ "$rc" -ne 0 ]; then
	why="save of what load made exits $rc: $(first_line "$work/pcrsave.err")"
elif [ "$(field cookies)" != 1 ]; then
	why="$(field cookies) cookies, want 1"
fi
result load_and_save_agree "$why"

# 12: a damaged pot file loads nothing: cut short, or with more after
# its end.
why=
fresh
head -c $(($(bytes "$work/awk.pot") - 1)) "$work/awk.pot" >"$work/short.pot"
{
	cat "$work/awk.pot"
	echo more
} >"$work/long.pot"
for f in short long; do
	run "$f" "$ctl" load "$work/$f.pot"
	if [ "$rc" -ne 1 ] || [ "$(field cookies)" != 0 ] ||
	   [ "$(lines "$work/$f.err")" -ne 1 ]; then
		why="$f.pot: exit $rc, $(field cookies) cookies: $(first_line "$work/$f.err")"
	fi
done
result damaged_pot_file_loads_nothing "$why"

# 13: save writes only regular files: a symbolic link, a FIFO, a
# directory, a device are refused in one line each, and left as they are.
why=
fresh
printf 'x' >/proc/fortune
echo target >"$work/target"
ln -s target "$work/link"
mkfifo "$work/fifo"
mkdir "$work/dir"
for t in link fifo dir /dev/null; do
	case $t in /*) path=$t ;; *) path=$work/$t ;; esac
	run refuse "$ctl" save "$path"
	if [ "$rc" -ne 1 ] || [ "$(lines "$work/refuse.err")" -ne 1 ] ||
	   ! grep -q 'regular files' "$work/refuse.err"; then
		why="$t: exit $rc: $(first_line "$work/refuse.err")"
	fi
done
if [ ! -L "$work/link" ] || [ "$(cat "$work/target")" != target ] ||
   [ ! -p "$work/fifo" ] || [ ! -c /dev/null ]; then
	why="a refused target changed"
elif [ -n "$(leftovers link)$(leftovers fifo)" ]; then
	why="a temporary file is left"
fi
result save_writes_only_regular_files "$why"

# 14: an existing file keeps its mode and owner.
why=
echo old >"$work/kept"
chmod 0604 "$work/kept"
chown 65534:65534 "$work/kept"
run kept "$ctl" save "$work/kept"
if [ "$rc" -ne 0 ]; then
	why="exit $rc: $(first_line "$work/kept.err")"
elif [ "$(stat -c %a:%u:%g "$work/kept")" != 604:65534:65534 ]; then
	why="mode and owner $(stat -c %a:%u:%g "$work/kept"), want 604:65534:65534"
elif [ "$(cat "$work/kept")" != "$(printf 'x\n%%')" ]; then
	why="the file was not saved"
fi
result save_keeps_mode_and_owner "$why"

# 15: save - writes to standard output, no file named '-'.
why=
run dash sh -c "cd '$work' && '$ctl' save --pot -"
if [ "$rc" -ne 0 ]; then
	why="exit $rc: $(first_line "$work/dash.err")"
elif [ -e "$work/-" ]; then
	why="a file named '-' was made"
else
	"$ctl" save --pot "$work/dash.pot"
	cmp -s "$work/dash.out" "$work/dash.pot" ||
		why="standard output is not the pot file"
fi
result save_dash_is_stdout "$why"
rmmod fortune
