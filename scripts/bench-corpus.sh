#!/usr/bin/env bash
# Builds theta's benchmark corpus from Debian packages alone, so that the
# figures in README.md and docs/performance.md can be reproduced from this
# repository:
#
#   scripts/bench-corpus.sh [--force] OUTDIR
#
# writes
#   OUTDIR/corpus-big.txt    all sources, mixed (about 15 M tokens)
#   OUTDIR/corpus-small.txt  the first lines of corpus-big.txt, ~1 M tokens
#   OUTDIR/sources.tsv       source, packages, lines, tokens (of corpus-big.txt)
#   OUTDIR/packages.txt      the Debian packages and versions used
#
# The sources, all English prose or close to it: the King James Bible
# (bible-kjv), Jane Austen's six novels (r-cran-janeaustenr, read from R's
# data file without R), Webster's 1913 dictionary as GCIDE (dict-gcide), the
# WordNet glosses and examples (wordnet-base), the fortune cookies
# (fortunes-min, fortunes), The Devil's Dictionary (dict-devil), the Jargon
# File (dict-jargon), FOLDOC (dict-foldoc), the manuals of Python (the info
# file of python3-doc), R (r-doc-info), git (git-doc) and Perl (perl-doc),
# and the Linux man pages (manpages, manpages-dev). Code, tables, menus and
# URLs are left out as far as simple rules find them.
#
# The packages are fetched with `apt-get download` into OUTDIR/debs (about
# 55 MB, kept for the next run) and unpacked into OUTDIR/pkgs with dpkg-deb
# (removed at the end): nothing is installed and no service started.
# Only `apt-get update` (run when apt knows none of the packages) and
# installing python3 (when missing) need root; both wait up to 5 minutes for
# another apt or dpkg to let go of its lock. No other network is used.
#
# Text: Unicode folded to ASCII (accents dropped), lower case, every run of
# characters outside a-z one space ("king's" -> "king", "don't" -> "dont");
# one verse, paragraph, gloss or cookie per line; lines of fewer than 3 words
# dropped. Each source is cut into 100 equal blocks of lines and the corpus
# is block 1 of every source, then block 2 of every source, and so on, so
# that every part of the corpus (and the learning-rate decay over it) sees
# every source. No randomness: the same package versions give the same bytes.
#
# Idempotent: when the three outputs exist it only prints sources.tsv;
# --force builds again (the downloaded packages are kept and reused).
set -euo pipefail

force=0
out=
for a in "$@"; do
    case $a in
    --force) force=1 ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-corpus.sh: unknown option $a" >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "bench-corpus.sh: one OUTDIR only" >&2; exit 2; }; out=$a ;;
    esac
done
[ -n "$out" ] || { echo "usage: scripts/bench-corpus.sh [--force] OUTDIR" >&2; exit 2; }
shown=$out # OUTDIR in messages, the home directory as ~ (they are pasted into docs)
[ -n "${HOME:-}" ] && [[ $shown == "$HOME"/* ]] && shown="~${shown#"$HOME"}"

if [ "$force" = 0 ] && [ -s "$out/corpus-big.txt" ] && [ -s "$out/corpus-small.txt" ] &&
    [ -s "$out/sources.tsv" ]; then
    echo "bench-corpus.sh: $shown/corpus-big.txt exists (--force to build again)" >&2
    column -t -s "$(printf '\t')" "$out/sources.tsv" >&2 2>/dev/null || cat "$out/sources.tsv" >&2
    exit 0
fi
rm -rf "$out/pkgs"
mkdir -p "$out/debs" "$out/pkgs"

apt_wait="-o DPkg::Lock::Timeout=300"
as_root() { # command... : run as root (directly or through sudo), or explain
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else echo "bench-corpus.sh: needs root for: $*" >&2; return 1; fi
}

# Debian's python3 does the extraction (zlib, unicodedata: its standard
# library; Debian's, not another python3 on PATH, whose Unicode tables may differ)
py=/usr/bin/python3
if ! "$py" -c 'import zlib, gzip, unicodedata' 2>/dev/null; then
    echo "bench-corpus.sh: installing python3 (needs root)" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get $apt_wait install -y -q python3 >/dev/null
fi

# The package list; names that change between Debian releases are looked up:
# the Python manual (python3-doc depends on python3.X-doc) and the readline
# library the bible program links against.
have() { apt-cache show --no-all-versions "$1" >/dev/null 2>&1; }
if ! have bible-kjv-text; then
    echo "bench-corpus.sh: apt knows no bible-kjv-text; running apt-get update (needs root)" >&2
    as_root apt-get $apt_wait update -q >/dev/null
fi
depends_on() { # package pattern -> the first dependency of package matching pattern
    apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: //p' | grep -m1 -E "$2" || true
}
pydoc=$(depends_on python3-doc '^python3\.[0-9]+-doc$')
readline=$(depends_on bible-kjv '^libreadline')
packages="bible-kjv bible-kjv-text $readline r-cran-janeaustenr dict-gcide wordnet-base
    fortunes-min fortunes dict-devil dict-jargon dict-foldoc $pydoc r-doc-info git-doc perl-doc manpages manpages-dev"

# fetch (apt-get download: no root, nothing installed) and unpack
: >"$out/packages.txt.tmp"
for p in $packages; do
    v=$(apt-cache show --no-all-versions "$p" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
    [ -n "$v" ] || { echo "bench-corpus.sh: Debian package $p not found (apt-get update?)" >&2; exit 1; }
    deb=$(ls "$out/debs/${p}_"*.deb 2>/dev/null | head -1 || true)
    if [ -z "$deb" ] || [ "$(dpkg-deb -f "$deb" Version)" != "$v" ]; then
        rm -f "$out/debs/${p}_"*.deb
        echo "bench-corpus.sh: downloading $p $v" >&2
        (cd "$out/debs" && apt-get download -q "$p" 2>&1 | grep -v -e '^W: Download is performed unsandboxed' \
            -e '^Get:' -e '^Fetched' >&2 || true)
        deb=$(ls "$out/debs/${p}_"*.deb 2>/dev/null | head -1 || true)
        [ -n "$deb" ] || { echo "bench-corpus.sh: could not download $p" >&2; exit 1; }
    fi
    dpkg-deb -x "$deb" "$out/pkgs"
    printf '%s\t%s\n' "$p" "$v" >>"$out/packages.txt.tmp"
done
mv "$out/packages.txt.tmp" "$out/packages.txt"

# The Bible through the package's own program (its data file is compressed)
root=$out/pkgs
LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu:$root/usr/lib:${LD_LIBRARY_PATH:-}" \
    "$root/usr/bin/bible" -p "$root/usr/lib" -f "Gen1:1-Rev22:21" >"$out/kjv.raw"
[ "$(wc -l <"$out/kjv.raw")" -gt 30000 ] || { echo "bench-corpus.sh: the bible program printed too little" >&2; exit 1; }

echo "bench-corpus.sh: extracting and mixing" >&2
"$py" - "$root" "$out" <<'PY'
import glob, gzip, os, re, struct, sys, unicodedata, zlib

root, out = sys.argv[1], sys.argv[2]
BLOCKS = 100          # each source is cut into this many blocks of lines
MIN_WORDS = 3         # shorter lines are dropped
SMALL_TOKENS = 1_000_000

FOLD = str.maketrans({"æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "ø": "o",
                      "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "þ": "th",
                      "Þ": "th", "ð": "d", "Ð": "d", "’": "'", "‘": "'"})
APOS_S = re.compile(r"'s\b")
APOS = re.compile(r"(?<=[a-z])'(?=[a-z])")
NONALPHA = re.compile(r"[^a-z]+")

def normalize(text):
    """One line of lower-case ASCII words, or None when it is too short."""
    t = unicodedata.normalize("NFKD", text.translate(FOLD))
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = APOS.sub("", APOS_S.sub("", t))
    t = NONALPHA.sub(" ", t).strip()
    return t if t.count(" ") + 1 >= MIN_WORDS else None

def paragraphs(lines):
    """Joins runs of non-blank lines; yields one string per paragraph."""
    para = []
    for line in lines:
        if line.strip():
            para.append(line.strip())
        elif para:
            yield " ".join(para)
            para = []
    if para:
        yield " ".join(para)

def read_text(path):
    opener = gzip.open if path.endswith((".gz", ".dz")) else open
    with opener(path, "rb") as f:
        return f.read().decode("utf-8", "replace")

def p(*parts):
    return os.path.join(root, *parts)

# --- one generator per source: raw paragraphs (normalised later) ---

def kjv():
    with open(os.path.join(out, "kjv.raw"), encoding="utf-8", errors="replace") as f:
        for line in f:   # "Ge1:1 In the beginning ..."
            yield re.sub(r"^\S+\d+:\d+\s*", "", line)

def r_strings(blob):
    """The character vectors in an R lazy-load database (R's XDR
    serialization, version 2 or 3, zlib blocks): one list per object."""
    pos = 0
    while pos + 4 < len(blob):
        d = zlib.decompressobj()
        data = d.decompress(blob[pos + 4:])
        pos = len(blob) - len(d.unused_data)
        if data[:2] != b"X\n":
            continue
        ver, = struct.unpack(">i", data[2:6])
        i = 14
        if ver == 3:
            n, = struct.unpack(">i", data[i:i + 4])
            i += 4 + n
        flags, n = struct.unpack(">ii", data[i:i + 8])
        i += 8
        if flags & 0xFF != 16:          # not a STRSXP
            continue
        strings = []
        for _ in range(n):
            _, ln = struct.unpack(">ii", data[i:i + 8])
            i += 8
            if ln < 0:                  # NA_character_
                strings.append("")
                continue
            strings.append(data[i:i + ln].decode("utf-8", "replace"))
            i += ln
        yield strings

def austen():
    with open(p("usr/lib/R/site-library/janeaustenr/data/Rdata.rdb"), "rb") as f:
        blob = f.read()
    for book in r_strings(blob):
        yield from paragraphs(book)

def dictd(name, clean):
    """A dictd database: entries of indented paragraphs, blank-line separated."""
    text = read_text(p("usr/share/dictd", name + ".dict.dz"))
    for para in paragraphs(text.splitlines()):
        if para.startswith("00-database"):   # the database's own header entries
            continue
        yield clean(para)

def gcide_clean(s):
    s = re.sub(r"\\[^\\]*\\", " ", s)          # pronunciation \Ab*do"men\
    s = re.sub(r"\[[^\]]*\]", " ", s)          # etymology, [1913 Webster], [R.]
    return re.sub(r"--[A-Z][\w.' ]*?\.(\s|$)", " ", s)   # --Bailey. (citations)

def foldoc_clean(s):
    s = re.sub(r"\([a-z]+://[^)]*\)|[a-z]+://\S+|\S+@\S+", " ", s)   # urls, mail
    return re.sub(r"\(\d{4}-\d\d-\d\d\)", " ", s)                      # (1994-11-08)

def wordnet():
    for pos in ("noun", "verb", "adj", "adv"):
        with open(p("usr/share/wordnet", "data." + pos), encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  ") or " | " not in line:   # licence header
                    continue
                for part in line.split(" | ", 1)[1].split(";"):  # gloss; "example"; ...
                    yield part.strip().strip('"')

def fortunes():
    d = p("usr/share/games/fortunes")
    for name in sorted(os.listdir(d)):
        path = os.path.join(d, name)
        if "." in name or os.path.islink(path) or not os.path.isfile(path) or "art" in name:
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for cookie in f.read().split("\n%\n"):
                yield " ".join(cookie.split())

def prose(para):
    """True for text, false for code and tables: mostly letters and spaces."""
    letters = sum(c.isalpha() or c == " " for c in para)
    return letters >= 0.85 * len(para) and ">>>" not in para

def info(pattern):
    """Info manuals: paragraphs of prose (code, menus and footnotes left out)."""
    lines = []
    for path in sorted(glob.glob(p("usr/share/info", pattern))):
        lines += read_text(path).splitlines() + [""]
    kept = []
    for line in lines:
        if line.startswith(("File: ", "\x1f", "* ", " -- ", "   ----------")) or \
           re.match(r"^[=*.\-]{3,}$", line.strip()):
            kept.append("")                    # node headers, menus, underlines, signatures
        else:
            kept.append(line)
    for para in paragraphs(kept):
        if para.startswith("("):               # footnotes: (1) https://...
            continue
        para = re.sub(r"\*note ([^:]*):[^.,;]*[.,;]?", r"\1", para)   # *note X: ref.
        para = re.sub(r"[a-z]+://\S+", " ", para)
        if prose(para):
            yield para

def git_doc():
    """git's manual pages and guides in AsciiDoc: the prose paragraphs."""
    lines = []
    for path in sorted(glob.glob(p("usr/share/doc/git-doc/*.txt"))):
        lines += read_text(path).splitlines() + [""]
    for para in paragraphs(l if not l.startswith((" ", "\t", "-", "=", "[", "include::")) else ""
                           for l in lines):
        para = re.sub(r"link[a-z]*:[^\[]*\[|[a-z]+://\S+", " ", para)
        if prose(para):
            yield para

def perl_pod():
    skip = {"perltoc.pod", "perluniprops.pod", "perlmodlib.pod"}    # lists, not prose
    for path in sorted(glob.glob(p("usr/share/perl/*/pod/*.pod"))):
        if os.path.basename(path) in skip:
            continue
        lines = []
        for line in read_text(path).splitlines():
            if line.startswith(("=", " ", "\t")):          # commands, verbatim code
                lines.append("")
            else:
                lines.append(re.sub(r"[A-Z]<+|>+", " ", line))   # C<...> B<...> L<...>
        for para in paragraphs(lines):
            yield re.sub(r"\bX\s+\S+", " ", para)

FONT = {".B", ".I", ".BR", ".RB", ".IR", ".RI", ".BI", ".IB", ".SM", ".SB"}
def man_pages():
    paths = sorted(glob.glob(p("usr/share/man/man*/*.gz")))
    for path in paths:
        text = read_text(path)
        if text.startswith(".so "):            # a link to another page
            continue
        lines, nofill = [], False
        for line in text.splitlines():
            word = line.split(" ", 1)[0]
            if word in (".nf", ".EX"):
                nofill = True
            elif word in (".fi", ".EE"):
                nofill = False
            if nofill:
                lines.append("")
            elif line.startswith((".", "'")):
                lines.append(line.split(" ", 1)[1] if word in FONT and " " in line else "")
            else:
                lines.append(line)
        for para in paragraphs(lines):
            para = re.sub(r"\\f(\[[^\]]*\]|\(..|.)", "", para)     # font changes
            para = re.sub(r"\\\(..|\\\[[^\]]*\]|\\.", " ", para)    # other escapes
            yield para

SOURCES = [  # name, packages, generator
    ("kjv", "bible-kjv bible-kjv-text", kjv),
    ("austen", "r-cran-janeaustenr", austen),
    ("gcide", "dict-gcide", lambda: dictd("gcide", gcide_clean)),
    ("wordnet", "wordnet-base", wordnet),
    ("fortunes", "fortunes-min fortunes", fortunes),
    ("devil", "dict-devil", lambda: dictd("devil", lambda s: s)),
    ("jargon", "dict-jargon", lambda: dictd("jargon", foldoc_clean)),
    ("foldoc", "dict-foldoc", lambda: dictd("foldoc", foldoc_clean)),
    ("python", "python3-doc", lambda: info("python3*.info*.gz")),
    ("r", "r-doc-info", lambda: info("R-*.info*.gz")),
    ("git", "git-doc", git_doc),
    ("perl", "perl-doc", perl_pod),
    ("man", "manpages manpages-dev", man_pages),
]

texts = []
for name, pkgs, gen in SOURCES:
    lines = [n for n in (normalize(s) for s in gen()) if n]
    texts.append(lines)
    print("  %-9s %9d lines %10d tokens" % (name, len(lines), sum(l.count(" ") + 1 for l in lines)),
          file=sys.stderr)

big = os.path.join(out, "corpus-big.txt")
small = os.path.join(out, "corpus-small.txt")
with open(big + ".tmp", "w", encoding="ascii", newline="\n") as fb, \
     open(small + ".tmp", "w", encoding="ascii", newline="\n") as fs:
    small_tokens = 0
    for b in range(BLOCKS):
        for lines in texts:
            n = len(lines)
            for line in lines[b * n // BLOCKS:(b + 1) * n // BLOCKS]:
                fb.write(line + "\n")
                if small_tokens < SMALL_TOKENS:
                    fs.write(line + "\n")
                    small_tokens += line.count(" ") + 1
with open(os.path.join(out, "sources.tsv.tmp"), "w") as f:
    f.write("source\tpackages\tlines\ttokens\n")
    for (name, pkgs, _), lines in zip(SOURCES, texts):
        f.write("%s\t%s\t%d\t%d\n" % (name, pkgs, len(lines), sum(l.count(" ") + 1 for l in lines)))
    f.write("total\t\t%d\t%d\n" % (sum(map(len, texts)),
                                   sum(l.count(" ") + 1 for t in texts for l in t)))
for f in (big, small, os.path.join(out, "sources.tsv")):
    os.replace(f + ".tmp", f)
PY
rm -rf "$out/kjv.raw" "$out/pkgs"
echo "bench-corpus.sh: wrote $shown/corpus-big.txt ($(wc -w <"$out/corpus-big.txt") tokens)" \
    "and $shown/corpus-small.txt ($(wc -w <"$out/corpus-small.txt") tokens)" >&2
