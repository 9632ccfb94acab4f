# SPDX-License-Identifier: GPL-2.0
#
# The cost of taking a cookie against the number of cookies stored, drawn
# by scripts/bench.sh from what tests/bench measured:
#
#   gnuplot -e "data='CURVE'; out='PNG'; title_extra='TEXT'" \
#           scripts/bench-plot.gp
#
# CURVE has one line per cookie count: stored; microseconds per take in
# order=seq, per take in order=random, per write-and-take with evict=Y in a
# full pot; then microseconds per open + read + close of /proc/version run
# interleaved with each of those three ('-' where a figure is missing).
#
# The top panel is the time per operation as measured.  Under TCG the
# emulated machine's speed drifts while the pot fills, so the bottom panel
# divides each figure by /proc/version measured alongside it.  A flat curve
# is the O(1) claim: the x axis is logarithmic, the y axes start at zero.

if (!exists("data")) data = 'bench-curve.dat'
if (!exists("out")) out = 'take-cost.png'
if (!exists("title_extra")) title_extra = ''

set terminal pngcairo size 960,900 noenhanced font ",11"
set output out
set datafile missing '-'
set logscale x 10
set xrange [0.7:300000]
set xtics ("1" 1, "10" 10, "100" 100, "1k" 1000, "10k" 10000, \
	   "100k" 100000, "200k" 200000)
set grid
set yrange [0:*]
set lmargin 12

set multiplot layout 2,1 \
	title "fortune.ko: the cost of taking a cookie against the number stored\n".title_extra

set ylabel "microseconds per operation\n(median, best round)"
set key below box
plot data using 1:2 with linespoints lw 2 pt 7 lc 1 \
	title "take (open + read + close), order=seq", \
     data using 1:3 with linespoints lw 2 pt 5 lc 2 \
	title "take, order=random", \
     data using 1:4 with linespoints lw 2 pt 9 lc 3 \
	title "write (evicts one) + take, evict=Y, pot full", \
     data using 1:5 with linespoints dt 2 lw 2 pt 1 lc rgb "gray40" \
	title "open + read + close of /proc/version, alongside seq"

set xlabel "cookies stored (log scale)"
set ylabel "relative to /proc/version\nrun alongside"
set yrange [0:1.5]
set key off
plot data using 1:($2 / $5) with linespoints lw 2 pt 7 lc 1, \
     data using 1:($3 / $6) with linespoints lw 2 pt 5 lc 2, \
     data using 1:($4 / $7) with linespoints lw 2 pt 9 lc 3

unset multiplot
