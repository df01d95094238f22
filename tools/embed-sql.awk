# Turns the project's .sql files into a C table {name, text}, so the binary carries its SQL.
# The name is the path without ".sql" (e.g. "schema/tables"); another file keeps its whole path
# ("bench/wrk_percentiles.lua").
function flush() { if (name != "") printf "\"\" },\n", "" }
BEGIN { print "#include \"common/sqlfiles.h\""; print "const struct sqlfile sqlfiles[] = {" }
FNR == 1 { flush(); name = FILENAME; sub(/\.sql$/, "", name); printf "  { \"%s\",\n", name }
{ line = $0; gsub(/\\/, "\\\\", line); gsub(/"/, "\\\"", line); gsub(/\t/, "\\t", line); printf "    \"%s\\n\"\n", line }
END { flush(); print "  { 0, 0 }"; print "};" }
