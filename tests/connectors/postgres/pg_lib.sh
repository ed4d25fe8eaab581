# Shared by the PostgreSQL script tests: the fixture's POSTGRES_URL, a scratch table, and the
# expected rows of postgres_window_aggregate computed with awk from the input.
# shellcheck shell=bash
load_services() { # $1 = the services.env file of the ctest fixture
  [ -f "$1" ] || { echo "no $1: run through ctest (services fixture)"; exit 1; }
  POSTGRES_URL=$(sed -n 's/^POSTGRES_URL=//p' "$1")
  [ -n "$POSTGRES_URL" ] || { echo "no POSTGRES_URL in $1"; exit 1; }
}

sql() { psql "$POSTGRES_URL" -X -q -t -A -v ON_ERROR_STOP=1 -c "$1"; }

# Writes N input lines key,timestamp_ms,value to $1: keys k0..k9, timestamps increasing.
make_events() {
  awk -v n="$2" 'BEGIN { s = 17; for (i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648
    printf "k%d,%d,%d\n", s % 10, i * 3, s % 1000 } }' > "$1"
}

# The tumbling windows of $2 ms of the events in $1, sorted as "key,start,end,count,sum,min,max".
expected_windows() {
  awk -F, -v size="$2" '{
    start = $2 - $2 % size; k = $1 SUBSEP start
    if (!(k in c)) { mn[k] = $3; mx[k] = $3 }
    c[k]++; s[k] += $3; if ($3 < mn[k]) mn[k] = $3; if ($3 > mx[k]) mx[k] = $3
  } END { for (k in c) { split(k, p, SUBSEP)
    printf "%s,%d,%d,%d,%d,%d,%d\n", p[1], p[2], p[2] + size, c[k], s[k], mn[k], mx[k] } }' "$1" |
    sort
}

table_rows() { # the rows of table $1 in the same form, sorted
  sql "SELECT key, window_start, window_end, count, sum, min, max FROM $1" | tr '|' ',' | sort
}
