# The life of the temporary cluster from cluster.sh, with the tool run as the ordinary user nobody (users
# will not run it as root): a world-readable copy of the binary, a TMPDIR nobody owns. Cases whose code
# path does not depend on the user (SIGTERM/SIGHUP while running, an unknown setting, a dying
# postmaster) run only in cluster.sh, to keep the suite fast.
PGPB_CLUSTER_AS=nobody
. "$(dirname "$0")/cluster.sh"
