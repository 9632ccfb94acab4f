# SPDX-License-Identifier: GPL-2.0
#
# The cost of a cookie against its size, 1 byte to 1 MiB, drawn by
# scripts/bench.sh from what tests/bench measured:
#
#   gnuplot -e "data='SIZES'; out='PNG'; title_extra='TEXT'" \
#           scripts/bench-size.gp
#
# SIZES has one line per cookie size: bytes; microseconds per take (open,
# read to the end, close), per write (a clear and one write), per take of
# /proc/version alongside; then the same three for the module before
# ('-' where a figure is missing).  The top panel is the time as measured,
# the bottom one each figure relative to /proc/version alongside it, which
# cancels the drift of the emulated machine's speed between phases.

if (!exists("data")) data = 'bench-size.dat'
if (!exists("out")) out = 'size-cost.png'
if (!exists("title_extra")) title_extra = ''

set terminal pngcairo size 960,900 noenhanced font ",11"
set output out
set datafile missing '-'
set logscale x 2
set logscale y 10
set xrange [0.7:1.5e6]
set xtics ("1" 1, "16" 16, "64" 64, "256" 256, "1k" 1024, "4k" 4096, \
	   "16k" 16384, "64k" 65536, "256k" 262144, "1M" 1048576)
set grid
set lmargin 12

set multiplot layout 2,1 \
	title "fortune.ko: the cost of a cookie against its size\n".title_extra

set ylabel "microseconds per operation\n(median, best round)"
set key below box
plot data using 1:2 with linespoints lw 2 pt 7 lc 1 title "take, now", \
     data using 1:5 with linespoints dt 2 lw 2 pt 6 lc 1 title "take, before", \
     data using 1:3 with linespoints lw 2 pt 5 lc 2 title "write, now", \
     data using 1:6 with linespoints dt 2 lw 2 pt 4 lc 2 title "write, before", \
     data using 1:4 with lines dt 3 lw 2 lc rgb "gray40" \
	title "open + read + close of /proc/version"

set xlabel "cookie size in bytes (log scale)"
set ylabel "relative to /proc/version\nrun alongside"
set key off
plot data using 1:($2 / $4) with linespoints lw 2 pt 7 lc 1, \
     data using 1:($5 / $7) with linespoints dt 2 lw 2 pt 6 lc 1, \
     data using 1:($3 / $4) with linespoints lw 2 pt 5 lc 2, \
     data using 1:($6 / $7) with linespoints dt 2 lw 2 pt 4 lc 2

unset multiplot
