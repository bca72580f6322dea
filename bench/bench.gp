# make bench v2's picture: net ns per packet (data plane minus the XDP_PASS
# baseline of the same run) per role/path/workload, one bar per next-hop
# mode measured, the issue's goal of that row as a black line across its
# group. build/bench/lw4o6_bench runs
#   gnuplot -e "dat='bench.dat'; out='bench.svg'; modes='fib static'" bench/bench.gp
# bench.dat: "label" then one column per word of modes, then the goal.
if (!exists("term")) term = "svg size 1200,640 dynamic enhanced font 'sans,11' background rgb 'white'"
set terminal @term
set output out
set title "make bench v2: net ns per packet, lower is better\n(median of interleaved rounds, data plane minus the XDP\\_PASS baseline of the same run; log scale)"
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [10:*]
set ylabel "net ns per packet"
set grid ytics
set xtics rotate by -20 noenhanced
set bmargin 6
set key top left
color(m) = m eq "fib" ? "#4477aa" : m eq "static" ? "#66ccee" : "#228833"
label(m) = m eq "fib" ? "next hop: bpf\\_fib\\_lookup" : m eq "static" ? "next hop: static" : "next hop: cache"
n = words(modes)
plot for [i=1:n] dat using i+1:xtic(1) title label(word(modes, i)) lc rgb color(word(modes, i)), \
     '' using 0:n+2:(0.45) with xerrorbars pt 0 lw 2 lc rgb "black" \
        title "goal (issue 11; 10M: 1.3 x the 1M goal)"
