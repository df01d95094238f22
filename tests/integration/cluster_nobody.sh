# The same life of the temporary cluster as cluster.sh, with the tool run as the ordinary user nobody
# (users will not run it as root): a world-readable copy of the binary, a TMPDIR nobody owns.
PGPB_CLUSTER_AS=nobody
. "$(dirname "$0")/cluster.sh"
