#!/usr/bin/env bash
# Compares initialization strategies: trains skip-gram on one corpus for every
# cell of the grid  strategy x loss x thread count  (x seed), with a fixed seed,
# and writes to --out DIR:
#   results.csv   one row per run (figures from theta train's --log-json log)
#   epochs.csv    one row per log snapshot (epoch ends and intermediate points)
#   table.md      the Markdown table printed on stdout (mean +- sd over seeds)
#   loss.png      mean loss per epoch, one line per strategy (first thread count)
#   dims.png      distinct dimensions of the input matrix per epoch (and at the
#                 --points snapshots), first and last thread count
#   README.md     the command, date, settings, total wall time and the table
# With --sweep, instead: how a symmetric start breaks (const:C+normal:S over a
# range of noise scales, one thread): sweep.csv, quality.csv, growth.csv,
# sweep.md, symmetry.png and README.md (see --help).
# The plots need gnuplot (Debian: gnuplot-nox, installed through
# scripts/install-deps.sh --plot unless --no-install); without it the CSV
# files and the table are still written and the script says why no plot was
# drawn.
#
#   scripts/compare-inits.sh [options] [CORPUS]   (default: the demo corpus)
#   THETA=path/to/theta (default: build/theta of this source tree)
#   GNUPLOT=path/to/gnuplot (default: gnuplot from PATH)
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/compare-inits.sh [options] [CORPUS]

Trains theta on CORPUS (default: the demo corpus, data/demo/corpus.txt, made
when missing) once per init strategy x loss x thread count x seed and reports
the loss and the theta dims figures of both matrices.

Strategies (names for --strategies):
  w2v         word2vec's start: input uniform in +-0.5/dim, output zero
              (theta's default is input scaled:1, +-1/dim, output zero)
  zero        --zero-init: both matrices zero
  const-in    input const:C, output zero
  const-both  both matrices const:C
  uniform     both matrices uniform:A
  normal      both matrices normal:S
  pretrained  input from vectors theta trained on another corpus (--init-in
              file:VECTORS, words they lack scaled:1), output zero: a warm
              start. Not in the default list: add it to --strategies

Options:
  --epochs N            epochs per run (default 3)
  --dim N               dimensions (default 50)
  --seeds N             repeat every cell with seeds S..S+N-1 (default 1);
                        the table shows mean +- sd
  --seed S              first seed (default 1)
  --threads LIST        comma-separated thread counts (default 1,<online CPUs>)
  --losses LIST         comma-separated subset of ns,hs,softmax (default all)
  --strategies LIST     comma-separated subset of the strategies above (default all)
  --const C             value of the const strategies (default 0.1)
  --uniform A           half-width of the uniform strategy (default 0.01)
  --normal S            standard deviation of the normal strategy (default 0.01)
  --min-count N         theta train --min-count (default 5)
  --pretrain-corpus F   the pretrained strategy's vectors are trained on F
                        (default: the second half of CORPUS's lines) with
                        the same dim, epochs and min-count, loss ns
  --softmax-max-vocab N --max-vocab for the full-softmax runs, whose cost
                        grows with the vocabulary (default 300; 0 = no cap)
  --points N            log snapshots per epoch for dims.png (default 4;
                        1 = epoch ends only)
  --analogies FILE      score each run with theta eval --analogies FILE
  --pairs FILE          score each run with theta eval --pairs FILE
  --out DIR             output folder (default compare-inits)
  --no-plot             do not draw the plots
  --no-install          do not install missing packages (gnuplot, bible-kjv)
  -h, --help            this text

The perturbation sweep (--sweep): how a symmetric start breaks. Instead of
the grid: for each loss, theta's default random start and the input matrix
const:C+normal:S (output zero) for each S of --noise, with one thread (no race
breaks the symmetry), a --log-json snapshot every --every words. Writes to
--out DIR (default compare-inits-sweep) sweep.csv (sigma_2/sigma_1 and the
effective rank of both matrices, the loss, at every snapshot), quality.csv
(with --analogies/--pairs: the scores at --evals points per epoch), growth.csv
and sweep.md (per run: the fitted early growth rate of sigma_2/sigma_1 per 1000
words, the final figures, where it catches up with the default start),
symmetry.png (log scale) and README.md.
  --sweep               run the sweep
  --noise LIST          comma-separated noise scales S >= 0 (default
                        0,1e-8,1e-6,1e-4,1e-2)
  --every N             words between snapshots (default 10000)
  --evals N             evaluation points per epoch (default 4)
  (--epochs defaults to 1 in the sweep; --dim, --seed, --losses, --const,
  --min-count, --softmax-max-vocab, --analogies, --pairs apply)
EOF
}

die() { echo "compare-inits.sh: $*" >&2; exit 1; }
usage_error() { echo "compare-inits.sh: $*" >&2; echo "try: scripts/compare-inits.sh --help" >&2; exit 2; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_number() { [[ $1 =~ ^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$ ]]; }

root=$(cd "$(dirname "$0")/.." && pwd)
# the command as recorded in README.md: evaluation files by name only (their
# location is the machine's business, not the results')
cmdline=scripts/compare-inits.sh
prev=""
for a in "$@"; do
    case $prev in --analogies | --pairs) a=$(basename -- "$a") ;; esac
    if [[ $a =~ ^[A-Za-z0-9_./,:=+-]+$ ]]; then
        cmdline+=" $a"
    else
        cmdline+=" '${a//\'/\'\\\'\'}'"
    fi
    prev=$a
done

epochs=3 dim=50 seeds=1 seed0=1 const=0.1 uniform=0.01 normal=0.01
min_count=5 softmax_max_vocab=300 points=4
threads_list="1,$(nproc 2>/dev/null || echo 1)"
losses_list="ns,hs,softmax"
all_strategies="w2v,zero,const-in,const-both,uniform,normal"
strategies_list=$all_strategies
analogies="" pairs="" out=compare-inits plot=1 install=1 corpus=""
sweep=0 every=10000 evals=4 noise_list="0,1e-8,1e-6,1e-4,1e-2" epochs_given=0 out_given=0
pretrain_corpus="" pretrained_vec="" pretrained_note=""
while [ $# -gt 0 ]; do
    opt=$1
    case $opt in
    -h | --help) usage; exit 0 ;;
    --no-plot) plot=0; shift; continue ;;
    --no-install) install=0; shift; continue ;;
    --sweep) sweep=1; shift; continue ;;
    --epochs | --dim | --seeds | --seed | --threads | --losses | --strategies | --const | \
        --uniform | --normal | --min-count | --softmax-max-vocab | --points | --analogies | \
        --pairs | --out | --pretrain-corpus | --noise | --every | --evals)
        [ $# -ge 2 ] || usage_error "$opt needs a value" ;;
    -*) usage_error "unknown option $opt" ;;
    esac
    case $opt in
    --epochs) epochs=$2 epochs_given=1 ;;
    --dim) dim=$2 ;;
    --seeds) seeds=$2 ;;
    --seed) seed0=$2 ;;
    --threads) threads_list=$2 ;;
    --losses) losses_list=$2 ;;
    --strategies) strategies_list=$2 ;;
    --const) const=$2 ;;
    --uniform) uniform=$2 ;;
    --normal) normal=$2 ;;
    --min-count) min_count=$2 ;;
    --softmax-max-vocab) softmax_max_vocab=$2 ;;
    --points) points=$2 ;;
    --analogies) analogies=$2 ;;
    --pairs) pairs=$2 ;;
    --out) out=$2 out_given=1 ;;
    --pretrain-corpus) pretrain_corpus=$2 ;;
    --noise) noise_list=$2 ;;
    --every) every=$2 ;;
    --evals) evals=$2 ;;
    --*) usage_error "unknown option $opt" ;;
    *)
        [ -z "$corpus" ] || usage_error "one corpus only (got '$corpus' and '$opt')"
        corpus=$opt; shift; continue ;;
    esac
    shift 2
done

if [ $sweep = 1 ]; then
    [ $epochs_given = 1 ] || epochs=1
    [ $out_given = 1 ] || out=compare-inits-sweep
fi
for v in epochs dim seeds points min_count every evals; do
    is_uint "${!v}" && [ "${!v}" -ge 1 ] || usage_error "--${v//_/-} must be a positive integer, not '${!v}'"
done
is_uint "$seed0" || usage_error "--seed must be a non-negative integer, not '$seed0'"
is_uint "$softmax_max_vocab" || usage_error "--softmax-max-vocab must be a non-negative integer"
is_number "$const" || usage_error "--const must be a number, not '$const'"
for v in uniform normal; do
    is_number "${!v}" && awk -v x="${!v}" 'BEGIN { exit !(x > 0) }' ||
        usage_error "--$v must be a positive number, not '${!v}'"
done
IFS=, read -r -a noise_levels <<<"$noise_list"
[ ${#noise_levels[@]} -gt 0 ] || usage_error "--noise needs at least one value"
for v in "${noise_levels[@]}"; do
    is_number "$v" && awk -v x="$v" 'BEGIN { exit !(x >= 0 && x <= 1e6) }' ||
        usage_error "--noise: '$v' is not a number in [0, 1e6]"
done
IFS=, read -r -a threads <<<"$threads_list"
IFS=, read -r -a losses <<<"$losses_list"
IFS=, read -r -a strategies <<<"$strategies_list"
[ ${#threads[@]} -gt 0 ] && [ ${#losses[@]} -gt 0 ] && [ ${#strategies[@]} -gt 0 ] ||
    usage_error "--threads, --losses and --strategies need at least one value"
# "1,1" on a one-core machine: run each thread count once
mapfile -t threads < <(printf '%s\n' "${threads[@]}" | awk '!seen[$0]++')
for t in "${threads[@]}"; do
    is_uint "$t" && [ "$t" -ge 1 ] || usage_error "--threads: '$t' is not a positive integer"
done
for l in "${losses[@]}"; do
    case $l in ns | hs | softmax) ;; *) usage_error "--losses: unknown loss '$l' (ns, hs, softmax)" ;; esac
done
for s in "${strategies[@]}"; do
    case ",$all_strategies,pretrained," in *",$s,"*) ;; *) usage_error "--strategies: unknown strategy '$s' ($all_strategies,pretrained)" ;; esac
done
for f in "$analogies" "$pairs" "$pretrain_corpus"; do
    [ -z "$f" ] || [ -r "$f" ] || die "cannot read evaluation file $f"
done

# the theta binary: $THETA, else this tree's build/theta (built when missing)
if [ -n "${THETA:-}" ]; then
    theta=$THETA
else
    theta=$root/build/theta
    [ -x "$theta" ] || make -C "$root" --no-print-directory build/theta >/dev/null ||
        die "could not build $theta"
fi
[ -x "$theta" ] || die "theta binary $theta is not executable (set THETA=...)"

if [ -z "$corpus" ]; then
    corpus=$root/data/demo/corpus.txt
    if [ ! -s "$corpus" ]; then
        if [ $install = 1 ]; then
            bash "$root/scripts/install-deps.sh" --demo ||
                echo "compare-inits.sh: could not install bible-kjv; the demo corpus will be generated" >&2
        fi
        bash "$root/scripts/demo-corpus.sh" "$corpus"
    fi
fi
[ -r "$corpus" ] && [ -s "$corpus" ] || die "cannot read corpus $corpus"

evaluate=0
if [ -n "$analogies$pairs" ]; then
    if "$theta" eval --help >/dev/null 2>&1; then
        evaluate=1
    else
        echo "compare-inits.sh: this theta has no 'eval' command: the analogy and rho columns stay empty" >&2
    fi
fi

gnuplot_bin=${GNUPLOT:-gnuplot}
no_plot_reason=""
if [ $plot = 0 ]; then
    no_plot_reason="--no-plot was given"
elif ! command -v "$gnuplot_bin" >/dev/null 2>&1; then
    if [ $install = 1 ] && [ -z "${GNUPLOT:-}" ]; then
        echo "compare-inits.sh: gnuplot is missing; installing it (scripts/install-deps.sh --plot)" >&2
        bash "$root/scripts/install-deps.sh" --plot || true
    fi
    command -v "$gnuplot_bin" >/dev/null 2>&1 ||
        no_plot_reason="gnuplot ($gnuplot_bin) is not installed (Debian: apt-get install gnuplot-nox, or scripts/install-deps.sh --plot)"
fi

mkdir -p "$out" || die "cannot create $out"
work=$(mktemp -d "${TMPDIR:-/tmp}/theta-compare-inits.XXXXXX")
trap 'rm -rf "$work"' EXIT

# strategy -> theta train options; init_in/init_out as written in the CSV
# draw_plot SCRIPT WROTE: runs gnuplot on SCRIPT ("wrote WROTE" on success);
# then, if no plot was drawn for any reason, plot_note says why.
draw_plot() {
    if [ -z "$no_plot_reason" ]; then
        if "$gnuplot_bin" "$1" 2>"$work/gp.err"; then
            echo "compare-inits: wrote $2" >&2
        else
            cat "$work/gp.err" >&2
            no_plot_reason="gnuplot failed (see above)"
        fi
    fi
    if [ -n "$no_plot_reason" ]; then
        plot_note="No plot was drawn: $no_plot_reason."
        echo "compare-inits.sh: no plot drawn: $no_plot_reason" >&2
    fi
}

init_of() { # strategy -> "init_in init_out"
    case $1 in
    w2v) echo "w2v w2v" ;;
    zero) echo "zero zero" ;;
    const-in) echo "const:$const zero" ;;
    const-both) echo "const:$const const:$const" ;;
    uniform) echo "uniform:$uniform uniform:$uniform" ;;
    normal) echo "normal:$normal normal:$normal" ;;
    pretrained) echo "file:pretrained.vec zero" ;;
    esac
}

# The pretrained strategy: vectors trained by theta on another corpus
# (--pretrain-corpus, or the second half of CORPUS's lines), once, before
# the grid; every pretrained run starts its input matrix from them.
make_pretrained() {
    local src=$pretrain_corpus what
    if [ -z "$src" ]; then
        src=$work/pretrain.txt
        tail -n +$((lines / 2 + 1)) "$corpus" >"$src"
        what="the second half of $(basename "$corpus") ($((lines - lines / 2)) lines)"
    else
        what=$(basename "$src")
    fi
    pretrained_vec=$work/pretrained.vec
    "$theta" train --input "$src" --dim "$dim" --epochs "$epochs" --threads "${threads[0]}" \
        --seed $((seed0 + 1000)) --min-count "$min_count" --output "$pretrained_vec" --quiet \
        2>"$work/err" || { cat "$work/err" >&2; die "theta train on $src (pretrained vectors) failed"; }
    pretrained_note="pretrained: input started from vectors theta trained on $what, $(wc -w <"$src") tokens (dim $dim, $epochs epoch(s), loss ns, seed $((seed0 + 1000))), $(head -n 1 "$pretrained_vec" | cut -d' ' -f1) words; words they lack scaled:1, output zero"
    echo "compare-inits: $pretrained_note" >&2
}
pretrained_args() { # -> the theta train options of the pretrained strategy, one per line
    printf '%s\n' --init-in "file:$pretrained_vec" --init-out zero
}

# snapshots: every (corpus tokens / points) words; --points 1 logs epoch ends only
tokens=$(wc -w <"$corpus")
lines=$(wc -l <"$corpus")
log_every=0
if [ "$points" -gt 1 ]; then
    log_every=$(((tokens + lines) / points))
    [ "$log_every" -ge 1 ] || log_every=1
fi

# ---- the perturbation sweep (--sweep) --------------------------------------
# How a symmetric start breaks: input const:C+normal:S for every S of --noise
# (output zero), and theta's default random start beside them, for every loss,
# one thread (no hogwild race can break the symmetry), a snapshot every
# --every words. Writes sweep.csv (one row per snapshot), quality.csv (one row
# per evaluation point, with --analogies/--pairs), growth.csv and sweep.md
# (one row per run: the fitted early growth rate of sigma_2/sigma_1, the final
# figures, where the run catches up with the default start), symmetry.png and
# README.md.
if [ $sweep = 1 ]; then
    sweep_csv=$out/sweep.csv quality_csv=$out/quality.csv growth_csv=$out/growth.csv
    echo "loss,start,noise,init_in,init_out,words,epoch,epoch_end,mean_loss,interval_loss,sigma_ratio_in,effective_rank_in,sigma_ratio_out,effective_rank_out,distinct_in,distinct_out" >"$sweep_csv"
    echo "loss,start,noise,words,analogy_accuracy,analogy_seen,spearman,pairs_used" >"$quality_csv"
    echo "loss,start,noise,seconds" >"$work/seconds.csv"
    per_epoch=$((tokens + lines)) # words as the trainer counts them (</s> included)
    stops=$((evals * epochs))
    [ $evaluate = 1 ] || stops=1
    runs=("default")
    for s in "${noise_levels[@]}"; do runs+=("$s"); done
    total=$((${#losses[@]} * ${#runs[@]}))
    echo "compare-inits: sweep of $total runs on $corpus ($tokens tokens), dim $dim, $epochs epoch(s), 1 thread, const $const + normal noise ${noise_levels[*]}, a snapshot every $every words" >&2

    # theta eval of a model file -> one quality.csv row
    evaluate_model() { # model prefix words
        local json acc="" seen="" rho="" used="" first_pairs eargs=()
        [ -n "$analogies" ] && eargs+=(--analogies "$analogies")
        [ -n "$pairs" ] && eargs+=(--pairs "$pairs")
        json=$("$theta" eval "$1" "${eargs[@]}" --threads 1 --json 2>"$work/err") ||
            { cat "$work/err" >&2; die "theta eval failed on $1"; }
        json=$(tr -d '\n' <<<"$json")
        first_pairs=$(sed -n 's/.*"pairs": \[ *\({[^}]*}\).*/\1/p' <<<"$json")
        if [ -n "$analogies" ]; then
            acc=$(sed -n 's/.*"analogy_accuracy": \([^,}]*\).*/\1/p' <<<"$json")
            seen=$(sed -n 's/.*"analogy_seen": \([^,}]*\).*/\1/p' <<<"$json")
        fi
        if [ -n "$pairs" ]; then
            rho=$(sed -n 's/.*"spearman": \([^,}]*\).*/\1/p' <<<"$first_pairs")
            used=$(sed -n 's/.*"pairs": \([^,}]*\).*/\1/p' <<<"$first_pairs")
        fi
        [ "$acc" = null ] && acc=""
        [ "$rho" = null ] && rho=""
        echo "$2,$3,$acc,$seen,$rho,$used" >>"$quality_csv"
    }

    start=$EPOCHREALTIME
    k=0
    for loss in "${losses[@]}"; do
        for run in "${runs[@]}"; do
            k=$((k + 1))
            log=$work/log.json ck=$work/ck.theta final=$work/final.theta
            rm -f "$log" "$ck" "$final"
            args=(train --input "$corpus" --dim "$dim" --epochs "$epochs" --threads 1 --seed "$seed0"
                --loss "$loss" --min-count "$min_count" --log-json "$log" --log-every-words "$every" --quiet)
            if [ "$run" = default ]; then
                start_name=default noise="" init_in=default init_out=default
            else
                start_name=perturbed noise=$run init_in="const:$const+normal:$run" init_out=zero
                args+=(--init-in "$init_in" --init-out zero)
            fi
            [ "$loss" = softmax ] && [ "$softmax_max_vocab" -gt 0 ] && args+=(--max-vocab "$softmax_max_vocab")
            prefix="$loss,$start_name,$noise"
            t0=$EPOCHREALTIME
            # with evaluation: stop, evaluate the checkpoint, resume (a resumed
            # run is bit for bit the uninterrupted one), --evals times an epoch
            for ((i = 1; i <= stops; i++)); do
                if [ $i -lt $stops ]; then
                    step=(--checkpoint "$ck" --stop-after-words $((i * per_epoch * epochs / stops)))
                else
                    step=(--save-model "$final")
                fi
                if [ $i = 1 ]; then
                    cmd=("${args[@]}" "${step[@]}")
                else
                    cmd=(train --resume "$ck" --input "$corpus" --log-json "$log" --log-every-words "$every"
                        --quiet "${step[@]}")
                fi
                "$theta" "${cmd[@]}" 2>"$work/err" ||
                    { cat "$work/err" >&2; die "theta ${cmd[*]} failed"; }
                if [ $evaluate = 1 ]; then
                    m=$final
                    [ $i -lt $stops ] && m=$ck
                    words=$("$theta" info --json "$m" | sed -n 's/.*"words_done": \([0-9]*\).*/\1/p')
                    evaluate_model "$m" "$prefix" "$words"
                fi
            done
            secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
            echo "$prefix,$secs" >>"$work/seconds.csv"
            # the log -> sweep.csv rows; interval_loss: the mean loss since the
            # previous snapshot, from the epoch's running means (weighted by words)
            awk -v prefix="$prefix,$init_in,$init_out" '
                function field(s, key,   r) {
                    if (!match(s, "\"" key "\": [^,}]*")) return ""
                    r = substr(s, RSTART, RLENGTH); sub(/^[^:]*: /, "", r)
                    return r == "null" ? "" : r
                }
                function part(s, key,   i) { i = index(s, "\"" key "\": {"); return i ? substr(s, i) : "" }
                /^\{/ {
                    ep = field($0, "epoch"); w = field($0, "words"); l = field($0, "loss")
                    if (ep != cur) { cur = ep; base = last_end; pw = 0; pl = 0 }
                    x = w - base
                    il = x > pw ? (l * x - pl * pw) / (x - pw) : l
                    pw = x; pl = l
                    si = part($0, "in_spread"); so = part($0, "out_spread")
                    mi = part($0, "in"); mo = part($0, "out")
                    printf "%s,%s,%s,%d,%s,%.6f,%s,%s,%s,%s,%s,%s\n", prefix, w, ep,
                        field($0, "end") == "true", l, il, field(si, "sigma_ratio"),
                        field(si, "effective_rank"), field(so, "sigma_ratio"),
                        field(so, "effective_rank"), field(mi, "distinct_dims"), field(mo, "distinct_dims")
                    if (field($0, "end") == "true") last_end = w
                }' "$log" >>"$sweep_csv"
            printf 'compare-inits: [%d/%d] %-7s %-9s %-6s %s s\n' "$k" "$total" "$loss" "$start_name" \
                "$noise" "$secs" >&2
        done
    done
    elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

    # One row per run: the early growth of sigma_2/sigma_1 (input matrix), a
    # least-squares line through ln(sigma_2/sigma_1) against words from the
    # first nonzero snapshot until the ratio first passes 1e-2; the final
    # figures; the catch-up point: the first snapshot from which the interval
    # loss (mean of the last 5 snapshots) stays within 1% of the default
    # start's over the same snapshots, and the
    # first evaluation point from which the analogy accuracy stays within 1
    # point of the default's (without --analogies: rho within 0.02).
    awk -F, -v qfile="$quality_csv" -v sfile="$work/seconds.csv" '
        function num(x) { return x == "" ? "" : x + 0 }
        BEGIN {
            while ((getline line < sfile) > 0) { split(line, a, ","); secs[a[1] "," a[2] "," a[3]] = a[4] }
            while ((getline line < qfile) > 0) {
                split(line, a, ",")
                if (a[1] == "loss") continue
                key = a[1] "," a[2] "," a[3]; n = ++nq[key]
                qw[key, n] = a[4]; qa[key, n] = a[5]; qs[key, n] = a[6]; qr[key, n] = a[7]
            }
        }
        NR == 1 { next }
        {
            key = $1 "," $2 "," $3
            if (!(key in ns)) { order[++nk] = key; init[key] = $4 }
            n = ++ns[key]
            w[key, n] = $6; il[key, n] = $10; r[key, n] = $11; er[key, n] = $12
            ro[key, n] = $13; ero[key, n] = $14; ml[key, n] = $9
        }
        END {
            print "loss,start,noise,init_in,first_words,first_sigma_ratio,words_to_1e-2,fit_points,growth_per_kword,doubling_words,final_words,final_loss,final_sigma_ratio_in,final_effective_rank_in,final_sigma_ratio_out,final_effective_rank_out,catch_up_words,analogy_accuracy,analogy_seen,spearman,catch_up_eval_words,seconds"
            for (k = 1; k <= nk; k++) {
                key = order[k]; split(key, p, ","); n = ns[key]
                ref = p[1] ",default,"
                # early phase
                first = 0; reach = ""; m = 0; sx = sy = sxx = sxy = 0
                for (i = 1; i <= n; i++) {
                    if (r[key, i] == "" || r[key, i] + 0 <= 0) { if (!first) continue; else break }
                    if (!first) first = i
                    if (r[key, i] + 0 > 1e-2) { reach = w[key, i]; break }
                    x = w[key, i] / 1000; y = log(r[key, i])
                    m++; sx += x; sy += y; sxx += x * x; sxy += x * y
                }
                if (reach == "") for (; i <= n; i++) if (r[key, i] + 0 > 1e-2) { reach = w[key, i]; break }
                rate = ""; dbl = ""
                if (m >= 3 && m * sxx - sx * sx > 0) {
                    rate = (m * sxy - sx * sy) / (m * sxx - sx * sx)
                    if (rate > 0) dbl = sprintf("%.0f", 1000 * log(2) / rate)
                    rate = sprintf("%.4f", rate)
                }
                if (p[2] == "default") rate = dbl = ""
                # catch-up on the interval loss
                cu = ""
                if (p[2] != "default" && (ref in ns)) {
                    lastbad = 0
                    for (i = 1; i <= n && i <= ns[ref]; i++) {
                        sa = sb = 0
                        for (j = (i > 4 ? i - 4 : 1); j <= i; j++) { sa += il[key, j]; sb += il[ref, j] }
                        if (sa > sb + 0.01 * (sb < 0 ? -sb : sb)) lastbad = i
                    }
                    cu = lastbad == 0 ? w[key, 1] : (lastbad < n && lastbad < ns[ref] ? w[key, lastbad + 1] : "never")
                }
                cq = ""
                if (p[2] != "default" && nq[key] > 0 && nq[ref] > 0) {
                    lastbad = 0
                    for (i = 1; i <= nq[key] && i <= nq[ref]; i++) {
                        # the analogy accuracy if there is one, else rho
                        if (qa[ref, i] != "") bad = qa[key, i] == "" || qa[key, i] < qa[ref, i] - 0.01
                        else bad = qr[ref, i] != "" && (qr[key, i] == "" || qr[key, i] < qr[ref, i] - 0.02)
                        if (bad) lastbad = i
                    }
                    cq = lastbad == 0 ? qw[key, 1] : (lastbad < nq[key] ? qw[key, lastbad + 1] : "never")
                }
                acc = nq[key] ? qa[key, nq[key]] : ""; rho = nq[key] ? qr[key, nq[key]] : ""
                seen = nq[key] ? qs[key, nq[key]] : ""
                printf "%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", key, init[key],
                    first ? w[key, first] : "", first ? r[key, first] : "", reach, m, rate, dbl,
                    w[key, n], ml[key, n], r[key, n], er[key, n], ro[key, n], ero[key, n], cu, acc, seen, rho,
                    cq, secs[key]
            }
        }' "$sweep_csv" >"$growth_csv"

    # The Markdown table
    awk -F, -v eval_cols=$evaluate '
        function g(x, f) { return x == "" ? "–" : sprintf(f, x) }
        NR == 1 { next }
        {
            start = $2 == "default" ? "default (random)" : "const + normal:" $3
            first = $5 == "" ? "0 (exact) throughout" : sprintf("%.2g (%s)", $6, $5)
            if ($5 == "" && $2 != "default") first = "0 (exact) throughout"
            rate = $9 == "" ? "–" : sprintf("%.3f (×%.3g, doubles in %s)", $9, exp($9), $10)
            cu = $17 == "" ? "–" : ($17 == "never" ? "never" : $17)
            printf "| %s | %s | %s | %s | %s | %s | %s | %.4f | %s |", $1, start, first, g($7, "%s"), rate,
                g($13, "%.3g"), g($14, "%.3g"), $12, cu
            if (eval_cols) printf " %s%s | %s | %s |", g($18 == "" ? "" : 100 * $18, "%.1f"),
                ($19 == "" ? "" : " (" $19 ")"), g($20, "%.3f"), ($21 == "" ? "–" : $21)
            printf "\n"
        }
        BEGIN {
            printf "| loss | start | σ₂/σ₁ at the first snapshot (words) | words to σ₂/σ₁ > 1e-2 | early growth per 1000 words: rate (factor, doubling words) | final σ₂/σ₁ in | final eff. rank in | final loss | catch-up, loss ±1%% (words) |"
            if (eval_cols) printf " analogy %% (seen) | ρ | catch-up, quality (words) |"
            printf "\n|---|---|--:|--:|--:|--:|--:|--:|--:|"
            if (eval_cols) printf "--:|--:|--:|"
            printf "\n"
        }' "$growth_csv" >"$out/sweep.md"
    cat "$out/sweep.md"

    plot_note=""
    if [ -z "$no_plot_reason" ]; then
        term="pngcairo size 1000,700 font ',9'"
        "$gnuplot_bin" -e "set terminal pngcairo" >/dev/null 2>&1 || term="png size 1000,700"
        np=${#losses[@]}
        {
            echo "set terminal $term"
            echo "set output '$out/symmetry.png'"
            echo "set multiplot title 'theta: how a symmetric start breaks (input const:$const + normal:S, output zero; dim $dim, 1 thread, seed $seed0)'"
            echo "set datafile separator ','; set grid; unset key"
            p=0
            for loss in "${losses[@]}"; do
                x0=$(awk -v i=$p -v n=$np 'BEGIN { printf "%.4f", i / n }')
                w=$(awk -v n=$np 'BEGIN { printf "%.4f", 1 / n }')
                echo "set origin $x0, 0.5; set size $w, 0.45"
                echo "set title '$loss'; set logscale y; set yrange [1e-9:2]; set format y '10^{%L}'"
                echo "set xlabel 'words trained (thousands)'; set ylabel 'σ_2/σ_1 of the input matrix'"
                cmd="plot"
                i=0
                for run in "${runs[@]}"; do
                    if [ "$run" = default ]; then
                        cmd+=" '$sweep_csv' using (strcol(1) eq '$loss' && strcol(2) eq 'default' ? \$6 / 1000 : NaN):(\$11 > 0 ? \$11 : NaN) with lines lc 'black' dt 2 lw 1.5,"
                    else
                        i=$((i + 1))
                        cmd+=" '$sweep_csv' using (strcol(1) eq '$loss' && strcol(2) eq 'perturbed' && strcol(3) eq '$run' ? \$6 / 1000 : NaN):(\$11 > 0 ? \$11 : NaN) with lines lt $i lw 1.5,"
                    fi
                done
                echo "${cmd%,}"
                echo "set origin $x0, 0.1; set size $w, 0.4"
                echo "set title ''; unset logscale y; set yrange [*:*]; set format y '%g'"
                echo "set ylabel 'interval loss / default start'"
                cmd="plot"
                i=0
                for run in "${runs[@]}"; do
                    [ "$run" = default ] && continue
                    i=$((i + 1))
                    f=$work/rel-$loss-$i.dat
                    awk -F, -v l="$loss" -v s="$run" '
                        $1 == l && $2 == "default" { d[++nd] = $10 }
                        $1 == l && $2 == "perturbed" && $3 == s { x[++nx] = $6; y[nx] = $10 }
                        END { for (i = 1; i <= nx && i <= nd; i++) if (d[i] > 0) print x[i] / 1000 "," y[i] / d[i] }' \
                        "$sweep_csv" >"$f"
                    cmd+=" '$f' using 1:2 with lines lt $i lw 1.5,"
                done
                cmd+=" 1 with lines lc 'black' dt 2 lw 1.5,"
                echo "${cmd%,}"
                p=$((p + 1))
            done
            echo "set origin 0, 0; set size 1, 0.09; unset border; unset tics; unset xlabel; unset ylabel"
            echo "unset title; unset grid; unset logscale; set xrange [0:1]; set yrange [0:1]"
            echo "set key center center horizontal maxrows 2 font ',9' samplen 3"
            items="plot NaN with lines lc 'black' dt 2 lw 1.5 title 'default random start',"
            i=0
            for run in "${runs[@]}"; do
                [ "$run" = default ] && continue
                i=$((i + 1))
                t="noise $run"
                [ "$run" = 0 ] && t="noise 0 (σ_2/σ_1 = 0 exactly: not on a log scale)"
                items+=" NaN with lines lt $i lw 1.5 title '$t',"
            done
            echo "${items%,}"
            echo "unset multiplot"
        } >"$work/sweep.gp"
    fi
    draw_plot "$work/sweep.gp" "$out/symmetry.png"
    {
        echo "# How a symmetric start breaks: perturbation sweep"
        echo
        echo "Written by \`scripts/compare-inits.sh --sweep\` on $(date -u '+%Y-%m-%d %H:%M UTC'); total wall time ${elapsed} s."
        echo
        echo '```'
        echo "$cmdline"
        echo '```'
        echo
        echo "- theta: $("$theta" --version 2>/dev/null || echo unknown)"
        echo "- corpus: $(basename "$corpus"), $tokens tokens, $lines lines"
        echo "- skip-gram, dim $dim, $epochs epoch(s), min-count $min_count, seed $seed0, 1 thread"
        if [ "$softmax_max_vocab" -gt 0 ] && [[ ",$losses_list," == *,softmax,* ]]; then
            echo "- softmax runs: --max-vocab $softmax_max_vocab"
        fi
        echo "- perturbed starts: --init-in const:$const+normal:S --init-out zero, S in ${noise_levels[*]}; default: theta's default start (input uniform in ±1/dim, output zero)"
        echo "- a --log-json snapshot every $every words (at the next 10000-word chunk boundary)"
        [ -n "$analogies" ] && echo "- analogies: $(basename "$analogies"), $evals evaluation points per epoch"
        [ -n "$pairs" ] && echo "- word pairs: $(basename "$pairs")"
        echo "- growth rate: slope of ln(σ₂/σ₁) per 1000 words, least squares from the first nonzero snapshot until σ₂/σ₁ passes 1e-2 (at least 3 points)"
        echo "- catch-up: the first snapshot from which the run's interval loss (averaged over the last 5 snapshots) stays within 1% of the default start's over the same snapshots; with evaluation, the first evaluation point from which the analogy accuracy stays within 1 point of the default's (without analogies: ρ within 0.02)"
        echo
        cat "$out/sweep.md"
        if [ -n "$plot_note" ]; then
            echo
            echo "$plot_note"
        else
            echo
            echo "![σ₂/σ₁ against words trained](symmetry.png)"
        fi
    } >"$out/README.md"
    echo "compare-inits: sweep of $total runs in $elapsed s; wrote $sweep_csv, $growth_csv, $quality_csv, $out/sweep.md, $out/README.md" >&2
    exit 0
fi

# One JSON log -> one results.csv row (without the run's fixed columns) on
# stdout, and its snapshots appended to epochs.csv rows with prefix.
summarize_log() { # log prefix epochs_csv
    awk -v prefix="$2" -v dim="$dim" -v ecsv="$3" '
    function field(s, key,   r) {
        if (!match(s, "\"" key "\": [^,}]*")) return ""
        r = substr(s, RSTART, RLENGTH); sub(/^[^:]*: /, "", r)
        return r == "null" ? "" : r
    }
    function part(s, key,   i) { i = index(s, "\"" key "\": {"); return i ? substr(s, i) : "" }
    /^\{/ {
        n++
        ep[n] = field($0, "epoch"); end[n] = field($0, "end"); words[n] = field($0, "words")
        loss[n] = field($0, "loss")
        inp = part($0, "in"); outp = part($0, "out")
        if (outp != "") inp = substr(inp, 1, length(inp) - length(outp))
        din[n] = field(inp, "distinct_dims"); dout[n] = field(outp, "distinct_dims")
        rin[n] = field(inp, "rank"); rout[n] = field(outp, "rank")
        zin[n] = field(inp, "all_zero"); zout[n] = field(outp, "all_zero")
        if (end[n] == "true") {
            if (first == "") { first = loss[n]; per_epoch = words[n] }
            last = n
        }
    }
    END {
        if (!last) exit 1
        for (i = 1; i <= n; i++)
            printf("%s,%d,%d,%s,%.4f,%s,%s,%s,%s,%s\n", prefix, ep[i], end[i] == "true",
                words[i], (per_epoch > 0 ? words[i] / per_epoch : 0), loss[i], din[i], dout[i],
                rin[i], rout[i]) >> ecsv
        if (din[last] == "" || rin[last] == "") verdict = "dims not computed"
        else if (zin[last] == "true" && zout[last] == "true") verdict = "stuck: all zero"
        else if (din[last] == 1) verdict = "symmetric: 1 distinct dim"
        else if (din[last] < dim) verdict = "partly symmetric: " din[last] " of " dim " dims distinct"
        else if (rin[last] == dim) verdict = "full rank"
        else verdict = "rank " rin[last] " of " dim
        printf "%s,%s,%s,%s,%s,%s,%s\n", first, loss[last], din[last], dout[last], rin[last],
            rout[last], verdict
    }' "$1"
}

csv=$out/results.csv
ecsv=$out/epochs.csv
echo "strategy,init_in,init_out,loss,threads,seed,first_loss,final_loss,distinct_in,distinct_out,rank_in,rank_out,verdict,analogy_accuracy,analogy_seen,spearman,pairs_used,seconds" >"$csv"
echo "strategy,loss,threads,seed,epoch,epoch_end,words,epoch_progress,mean_loss,distinct_in,distinct_out,rank_in,rank_out" >"$ecsv"

total=$((${#losses[@]} * ${#strategies[@]} * ${#threads[@]} * seeds))
case ",$strategies_list," in *,pretrained,*) make_pretrained ;; esac
echo "compare-inits: $total runs on $corpus ($tokens tokens), dim $dim, $epochs epoch(s), threads ${threads[*]}, seeds $seed0..$((seed0 + seeds - 1))" >&2
start=$EPOCHREALTIME
k=0
for ((seed = seed0; seed < seed0 + seeds; seed++)); do
    for loss in "${losses[@]}"; do
        for s in "${strategies[@]}"; do
            read -r init_in init_out <<<"$(init_of "$s")"
            for t in "${threads[@]}"; do
                k=$((k + 1))
                log=$work/log.json vec=$work/vectors.bin
                rm -f "$log" "$vec"
                args=(train --input "$corpus" --dim "$dim" --epochs "$epochs" --threads "$t"
                    --seed "$seed" --loss "$loss" --min-count "$min_count" --log-json "$log" --quiet)
                if [ "$s" = pretrained ]; then
                    mapfile -t -O ${#args[@]} args < <(pretrained_args)
                elif [ "$s" = zero ]; then
                    args+=(--zero-init)
                else
                    args+=(--init-in "$init_in" --init-out "$init_out")
                fi
                [ "$loss" = softmax ] && [ "$softmax_max_vocab" -gt 0 ] && args+=(--max-vocab "$softmax_max_vocab")
                [ "$log_every" -gt 0 ] && args+=(--log-every-words "$log_every")
                [ $evaluate = 1 ] && args+=(--output "$vec" --binary)
                t0=$EPOCHREALTIME
                "$theta" "${args[@]}" 2>"$work/err" ||
                    { cat "$work/err" >&2; die "theta ${args[*]} failed"; }
                secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
                row=$(summarize_log "$log" "$s,$loss,$t,$seed" "$ecsv") ||
                    die "no epoch in the log of theta ${args[*]}"
                acc="" seen="" rho="" used=""
                if [ $evaluate = 1 ]; then
                    eargs=()
                    [ -n "$analogies" ] && eargs+=(--analogies "$analogies")
                    [ -n "$pairs" ] && eargs+=(--pairs "$pairs")
                    json=$("$theta" eval "$vec" "${eargs[@]}" --json 2>"$work/err") ||
                        { cat "$work/err" >&2; die "theta eval failed on the vectors of run $k"; }
                    json=$(tr -d '\n' <<<"$json")
                    # the first pairs file's object: {"file": ..., "spearman": R, ..., "pairs": N, ...}
                    first_pairs=$(sed -n 's/.*"pairs": \[ *\({[^}]*}\).*/\1/p' <<<"$json")
                    if [ -n "$analogies" ]; then
                        acc=$(sed -n 's/.*"analogy_accuracy": \([^,}]*\).*/\1/p' <<<"$json")
                        seen=$(sed -n 's/.*"analogy_seen": \([^,}]*\).*/\1/p' <<<"$json")
                    fi
                    if [ -n "$pairs" ]; then
                        rho=$(sed -n 's/.*"spearman": \([^,}]*\).*/\1/p' <<<"$first_pairs")
                        used=$(sed -n 's/.*"pairs": \([^,}]*\).*/\1/p' <<<"$first_pairs")
                    fi
                    # undefined (no question seen, all cosines equal): left empty
                    [ "$acc" = null ] && acc=""
                    [ "$rho" = null ] && rho=""
                fi
                echo "$s,$init_in,$init_out,$loss,$t,$seed,$row,$acc,$seen,$rho,$used,$secs" >>"$csv"
                printf 'compare-inits: [%d/%d] %-7s %-10s threads %d seed %d: %s s, final loss %s, %s\n' \
                    "$k" "$total" "$loss" "$s" "$t" "$seed" "$secs" "$(cut -d, -f2 <<<"$row")" \
                    "$(cut -d, -f7 <<<"$row")" >&2
            done
        done
    done
done
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

# The Markdown table: one row per (loss, strategy, threads), mean +- sd over seeds.
awk -F, -v eval_cols="$([ -n "$analogies$pairs" ] && echo 1 || echo 0)" '
    function stat(key, name, fmt, scale,   n, m, v, i, x) {
        n = cnt[key]; m = 0; v = 0
        for (i = 1; i <= n; i++) { x = val[key, name, i]; if (x == "") return "–"; m += x * scale }
        m /= n
        if (n == 1) return sprintf(fmt, m)
        for (i = 1; i <= n; i++) v += (val[key, name, i] * scale - m) ^ 2
        return sprintf(fmt " ± " fmt, m, sqrt(v / (n - 1)))
    }
    function count(key, name) { return val[key, name, 1] == "" ? "" : " (" val[key, name, 1] ")" }
    NR == 1 { for (i = 1; i <= NF; i++) names[i] = $i; next }
    {
        for (i = 1; i <= NF; i++) f[names[i]] = $i
        key = f["loss"] SUBSEP f["strategy"] SUBSEP f["threads"]
        if (!(key in cnt)) { order[++nk] = key; init[key] = f["init_in"] " / " f["init_out"] }
        c = ++cnt[key]
        for (i = 1; i <= NF; i++) val[key, names[i], c] = $i
        if (c == 1) verdict[key] = f["verdict"]
        else if (verdict[key] != f["verdict"]) verdict[key] = "mixed over seeds"
    }
    END {
        printf "| loss | strategy | init in / out | threads | loss, epoch 1 → last | distinct dims in / out | rank in / out |"
        if (eval_cols) printf " analogy %% (seen) | ρ (pairs) |"
        printf " time (s) | verdict |\n"
        printf "|---|---|---|--:|--:|--:|--:|"
        if (eval_cols) printf "--:|--:|"
        printf "--:|---|\n"
        for (k = 1; k <= nk; k++) {
            key = order[k]; split(key, p, SUBSEP)
            printf "| %s | %s | %s | %s | %s → %s | %s / %s | %s / %s |", p[1], p[2], init[key], p[3],
                stat(key, "first_loss", "%.4f", 1), stat(key, "final_loss", "%.4f", 1),
                stat(key, "distinct_in", "%.3g", 1), stat(key, "distinct_out", "%.3g", 1),
                stat(key, "rank_in", "%.3g", 1), stat(key, "rank_out", "%.3g", 1)
            if (eval_cols)
                printf " %s%s | %s%s |", stat(key, "analogy_accuracy", "%.1f", 100),
                    count(key, "analogy_seen"), stat(key, "spearman", "%.3f", 1), count(key, "pairs_used")
            printf " %s | %s |\n", stat(key, "seconds", "%.1f", 1), verdict[key]
        }
    }' "$csv" >"$out/table.md"
cat "$out/table.md"

# Plots: one panel per loss, one line per strategy (first seed only).
plot_note=""
if [ -z "$no_plot_reason" ]; then
    series() { # loss strategy threads column -> data file "x y"
        local f=$work/series-$1-$2-$3-$4.dat
        awk -F, -v l="$1" -v s="$2" -v t="$3" -v seed="$seed0" -v col="$4" -v ends="$5" '
            NR > 1 && $1 == s && $2 == l && $3 == t && $4 == seed && (!ends || $6 == 1) { print $8, $col }' \
            "$ecsv" >"$f"
        echo "$f"
    }
    term="pngcairo size 900,500 font ',9'"
    "$gnuplot_bin" -e "set terminal pngcairo" >/dev/null 2>&1 || term="png size 900,500"
    t1=${threads[0]} tmax=${threads[${#threads[@]} - 1]}
    tword1=threads
    [ "$t1" = 1 ] && tword1=thread
    np=${#losses[@]}
    # panels side by side above a full-width strip that holds the one key
    panel() { # index -> origin and size of panel i (0-based)
        awk -v i="$1" -v n="$np" 'BEGIN { printf "set origin %.4f, 0.12; set size %.4f, 0.82\n", i / n, 1 / n }'
    }
    key_strip() { # plot items -> the key, drawn alone below the panels
        echo "set origin 0, 0; set size 1, 0.12; unset border; unset tics; unset xlabel; unset ylabel"
        echo "unset title; unset grid; unset logscale; set xrange [0:1]; set yrange [0:1]"
        echo "set key center center horizontal maxrows 2 font ',8' samplen 3"
        echo "plot ${1%,}"
    }
    {
        echo "set terminal $term"
        echo "set output '$out/loss.png'"
        echo "set multiplot title 'theta: mean training loss per epoch by init strategy (dim $dim, $t1 $tword1, seed $seed0)'"
        echo "set grid; unset key; set xlabel 'epoch'; set ylabel 'mean loss'"
        echo "set xtics 1; set xrange [0.8:$epochs.2]; set offsets 0, 0, graph 0.05, graph 0.05"
        p=0
        for loss in "${losses[@]}"; do
            panel $p
            p=$((p + 1))
            echo "set title '$loss'"
            cmd="plot"
            i=0
            for s in "${strategies[@]}"; do
                i=$((i + 1))
                f=$(series "$loss" "$s" "$t1" 9 1)
                cmd+=" '$f' using 1:2 with linespoints lt $i lw 1.5 pt $i ps 0.8,"
            done
            echo "${cmd%,}"
        done
        items="" i=0
        for s in "${strategies[@]}"; do
            i=$((i + 1))
            items+=" NaN with linespoints lt $i lw 1.5 pt $i ps 0.8 title '$s',"
        done
        key_strip "$items"
        echo "unset multiplot"

        echo "set output '$out/dims.png'"
        echo "set multiplot title 'theta: distinct dimensions of the input matrix (dim $dim, seed $seed0)'"
        echo "set border; set tics; set grid; unset key; set xlabel 'epoch'; set ylabel 'distinct dimensions (log scale)'"
        echo "set xrange [0:$epochs.2]; set logscale y 2; set yrange [0.8:$((dim * 3 / 2 + 1))]; set offsets 0, 0, 0, 0"
        echo "set xtics 1; set ytics ('1' 1, '2' 2, '4' 4, '8' 8, '16' 16, '32' 32, '$dim' $dim)"
        p=0
        for loss in "${losses[@]}"; do
            panel $p
            p=$((p + 1))
            echo "set title '$loss'"
            cmd="plot"
            i=0
            for s in "${strategies[@]}"; do
                i=$((i + 1))
                f=$(series "$loss" "$s" "$t1" 10 0)
                # thicker lines first: lines that coincide stay visible
                cmd+=" '$f' using 1:2 with linespoints lt $i lw $((1 + (${#strategies[@]} - i) / 2)) pt $i ps 0.7,"
                if [ "$tmax" != "$t1" ]; then
                    f=$(series "$loss" "$s" "$tmax" 10 0)
                    cmd+=" '$f' using 1:2 with linespoints lt $i dt 2 pt $i ps 0.5,"
                fi
            done
            echo "${cmd%,}"
        done
        items="" i=0
        for s in "${strategies[@]}"; do
            i=$((i + 1))
            items+=" NaN with linespoints lt $i lw 1.5 pt $i ps 0.7 title '$s',"
        done
        items+=" NaN with lines lc 'black' title '$t1 $tword1',"
        [ "$tmax" != "$t1" ] && items+=" NaN with lines lc 'black' dt 2 title '$tmax threads',"
        key_strip "$items"
        echo "unset multiplot"
    } >"$work/plot.gp"
fi
draw_plot "$work/plot.gp" "$out/loss.png and $out/dims.png"

{
    echo "# Init strategy comparison"
    echo
    echo "Written by \`scripts/compare-inits.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); total wall time ${elapsed} s."
    echo
    echo '```'
    echo "$cmdline"
    echo '```'
    echo
    echo "- theta: $("$theta" --version 2>/dev/null || echo unknown)"
    echo "- machine: $(nproc 2>/dev/null || echo '?') online CPUs"
    echo "- corpus: $(basename "$corpus"), $tokens tokens, $lines lines"
    echo "- skip-gram, dim $dim, $epochs epoch(s), min-count $min_count, seeds $seed0..$((seed0 + seeds - 1)), threads ${threads[*]}"
    if [ "$softmax_max_vocab" -gt 0 ] && [[ ",$losses_list," == *,softmax,* ]]; then
        echo "- softmax runs: --max-vocab $softmax_max_vocab"
    fi
    echo "- strategies: const C = $const, uniform A = $uniform, normal S = $normal"
    [ -n "$pretrained_note" ] && echo "- $pretrained_note"
    [ -n "$analogies" ] && echo "- analogies: $(basename "$analogies")$([ $evaluate = 1 ] || echo ' (not scored: this theta has no eval command)')"
    [ -n "$pairs" ] && echo "- word pairs: $(basename "$pairs")$([ $evaluate = 1 ] || echo ' (not scored: this theta has no eval command)')"
    echo
    cat "$out/table.md"
    if [ -n "$plot_note" ]; then
        echo
        echo "$plot_note"
    fi
} >"$out/README.md"
echo "compare-inits: $total runs in $elapsed s; wrote $csv, $ecsv, $out/table.md, $out/README.md" >&2
